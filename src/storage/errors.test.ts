import { describe, expect, it } from 'vitest'
import { CareKeyError } from '../domain/errors.ts'
import { StorageFullError, StorageUnavailableError, StorageVersionError, storageCall, toStorageError } from './errors.ts'

describe('storage errors', () => {
  it('turns the browser’s quota error into a message people can act on', async () => {
    const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError')
    await expect(storageCall(() => Promise.reject(quota))).rejects.toBeInstanceOf(StorageFullError)
  })

  it('maps blocked or broken storage to StorageUnavailableError and newer schemas to StorageVersionError', () => {
    expect(toStorageError(new DOMException('denied', 'SecurityError'))).toBeInstanceOf(StorageUnavailableError)
    expect(toStorageError(new DOMException('gone', 'InvalidStateError'))).toBeInstanceOf(StorageUnavailableError)
    expect(toStorageError(new DOMException('newer', 'VersionError'))).toBeInstanceOf(StorageVersionError)
  })

  it('passes CareKeyErrors and unrelated errors through unchanged', () => {
    const own = new CareKeyError('own')
    const bug = new TypeError('bug')
    expect(toStorageError(own)).toBe(own)
    expect(toStorageError(bug)).toBe(bug)
  })
})
