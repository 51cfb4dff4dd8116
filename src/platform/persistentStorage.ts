import { CareKeyError } from '../domain/errors.ts'

/**
 * Whether the browser agreed to keep CareKey's data (IndexedDB: the wallet, records, consents)
 * until the patient deletes it: 'granted' (persistent storage), 'not-granted' (the browser may
 * clear it when space runs low, and Safari after seven days without a visit), 'unsupported'
 * (this browser cannot be asked).
 */
export type PersistenceState = 'granted' | 'not-granted' | 'unsupported'

/** The part of the browser's StorageManager (`navigator.storage`) this module uses. */
export type PersistentStorageManager = {
  persisted?: () => Promise<boolean>
  persist?: () => Promise<boolean>
}

export class PersistentStorageError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super(
      'The browser did not say whether it keeps CareKey’s data.',
      'Try again later. Until then, keep a backup of your records: the browser may delete them when space runs low.',
      options,
    )
  }
}

const browserStorage = (): PersistentStorageManager | undefined => (typeof navigator === 'undefined' ? undefined : navigator.storage)

/**
 * Whether the browser keeps CareKey's data. Pass a StorageManager to test; the browser's by default.
 * Throws PersistentStorageError when the browser fails to answer.
 *
 * @example
 * if ((await persistenceState()) !== 'granted') showBackupAdvice()
 */
export async function persistenceState(storage = browserStorage()): Promise<PersistenceState> {
  if (!storage?.persisted) return 'unsupported'
  const persisted = await ask(() => storage.persisted?.())
  if (persisted) return 'granted'
  return storage.persist ? 'not-granted' : 'unsupported'
}

/**
 * Asks the browser to keep CareKey's data, and resolves to the state that follows. Chrome and
 * Edge decide from how much the site is used (installed, bookmarked), Firefox asks the person,
 * Safari decides by its own rules. Asking again when already granted asks nothing.
 *
 * @example
 * const state = await requestPersistence()
 * if (state === 'not-granted') say('The browser said no for now.')
 */
export async function requestPersistence(storage = browserStorage()): Promise<PersistenceState> {
  const now = await persistenceState(storage)
  if (now !== 'not-granted') return now
  return (await ask(() => storage?.persist?.())) ? 'granted' : 'not-granted'
}

async function ask(question: () => Promise<boolean> | undefined): Promise<boolean> {
  try {
    return (await question()) === true
  } catch (cause) {
    // The browser throws when this origin may not store at all (storage turned off, an opaque origin).
    throw new PersistentStorageError({ cause })
  }
}
