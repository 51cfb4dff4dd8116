import { CareKeyError } from '../domain/errors.ts'

export class StorageUnavailableError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super(
      'This browser will not let CareKey store data, so your wallet cannot be kept here.',
      'Private or guest windows often block storage. Open CareKey in a normal window, or allow site data in the browser settings.',
      options,
    )
  }
}

export class StorageFullError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super(
      'This device is out of storage space for CareKey, so nothing was saved.',
      'Free some space (or remove large attachments), then try again. Your existing data is unchanged.',
      options,
    )
  }
}

export class StorageVersionError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super(
      'Your data was saved by a newer version of CareKey than this one.',
      'Reload the page to get the newest version. Nothing was changed.',
      options,
    )
  }
}

export class StorageChangedInAnotherTabError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super(
      'CareKey was changed in another tab (the wallet was removed there, or a newer version updated your data), so this tab stopped using it.',
      'Reload this page to go on. Nothing was saved from this tab since then.',
      options,
    )
  }
}

/** Maps the browser's storage failures to errors people can act on; other errors pass through. */
export function toStorageError(error: unknown): unknown {
  if (error instanceof CareKeyError) return error
  const name = error instanceof Error || error instanceof DOMException ? error.name : ''
  if (name === 'QuotaExceededError') return new StorageFullError({ cause: error })
  if (name === 'VersionError') return new StorageVersionError({ cause: error })
  if (name === 'InvalidStateError' || name === 'SecurityError' || name === 'UnknownError' || name === 'NotFoundError') {
    return new StorageUnavailableError({ cause: error })
  }
  return error
}

/** Runs a storage operation and rethrows its failure as a CareKeyError where one fits. */
export async function storageCall<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation()
  } catch (error) {
    throw toStorageError(error)
  }
}
