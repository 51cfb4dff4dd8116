import { describe, expect, it } from 'vitest'
import { persistenceState, PersistentStorageError, requestPersistence, type PersistentStorageManager } from './persistentStorage.ts'

/** A browser's StorageManager that grants persistence when asked, if `agrees`. */
function browserThat({ agrees, granted = false }: { agrees: boolean; granted?: boolean }): PersistentStorageManager & { asked: number } {
  const storage = {
    asked: 0,
    persisted: async () => granted,
    persist: async () => {
      storage.asked++
      if (agrees) granted = true
      return granted
    },
  }
  return storage
}

const broken = (error: Error): PersistentStorageManager => ({ persisted: () => Promise.reject(error), persist: () => Promise.reject(error) })

describe('persistent storage', () => {
  it('says whether the browser keeps CareKey’s data', async () => {
    expect(await persistenceState(browserThat({ agrees: false, granted: true }))).toBe('granted')
    expect(await persistenceState(browserThat({ agrees: true }))).toBe('not-granted')
  })

  it('says unsupported where the browser has no StorageManager or cannot be asked', async () => {
    expect(await persistenceState(undefined)).toBe('unsupported')
    expect(await persistenceState({})).toBe('unsupported')
    expect(await persistenceState({ persisted: async () => false })).toBe('unsupported')
    expect(await requestPersistence({ persisted: async () => false })).toBe('unsupported')
    expect(await requestPersistence(undefined)).toBe('unsupported')
    // Granted by the browser on its own, though it offers no way to ask.
    expect(await persistenceState({ persisted: async () => true })).toBe('granted')
  })

  it('asks the browser and reports its answer', async () => {
    const agreeing = browserThat({ agrees: true })
    expect(await requestPersistence(agreeing)).toBe('granted')
    expect(await persistenceState(agreeing)).toBe('granted')

    const refusing = browserThat({ agrees: false })
    expect(await requestPersistence(refusing)).toBe('not-granted')
    expect(await persistenceState(refusing)).toBe('not-granted')
  })

  it('does not ask again once the browser agreed', async () => {
    const granted = browserThat({ agrees: false, granted: true })
    expect(await requestPersistence(granted)).toBe('granted')
    expect(granted.asked).toBe(0)
  })

  it('turns a browser that throws into an error that says what to do', async () => {
    const error = await persistenceState(broken(new TypeError('storage is disabled'))).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PersistentStorageError)
    expect((error as PersistentStorageError).hint).toMatch(/keep a backup/)
    expect((error as PersistentStorageError).cause).toBeInstanceOf(TypeError)
    await expect(requestPersistence({ persisted: async () => false, persist: () => Promise.reject(new TypeError('no')) })).rejects.toBeInstanceOf(
      PersistentStorageError,
    )
  })
})
