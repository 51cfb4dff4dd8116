import { describe, expect, it } from 'vitest'
import {
  changeRecordsManifest,
  EMPTY_RECORDS_MANIFEST,
  manifestGeneration,
  openRecordsManifest,
  RecordsManifestDamagedError,
  rollbackProblem,
  sealRecordsManifest,
  type ManifestState,
} from './manifest.ts'
import type { EncryptedRecord } from './records.ts'

const key = () => crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
const sealed = { iv: new Uint8Array(12), ciphertext: new Uint8Array(16) }
const row = (id: string, version: number): EncryptedRecord => ({ format: 2, id, version, wrappedKey: new Uint8Array(40), summary: sealed, resource: sealed, createdAt: 1, updatedAt: 1 })
const legacy = (id: string): EncryptedRecord => ({ format: 1, id, wrappedKey: new Uint8Array(40), summary: sealed, resource: sealed, createdAt: 1, updatedAt: 1 })
const found = (put: { id: string; version: number }[], remove: string[] = []): ManifestState => ({
  kind: 'found',
  manifest: changeRecordsManifest(EMPTY_RECORDS_MANIFEST, { put, remove }),
})

describe('the records manifest', () => {
  it('seals the versions, the deleted ids and its generation, and opens only under its key', async () => {
    const k = await key()
    const manifest = changeRecordsManifest(changeRecordsManifest(EMPTY_RECORDS_MANIFEST, { put: [{ id: 'a', version: 3 }, { id: 'b', version: 0 }] }), { remove: ['b'] })
    const stored = await sealRecordsManifest(manifest, k)
    expect(stored.generation).toBe(2)
    expect(manifestGeneration(structuredClone(stored))).toBe(2)
    const opened = await openRecordsManifest(structuredClone(stored), k)
    expect(opened).toEqual({ generation: 2, versions: new Map([['a', 3]]), deleted: new Set(['b']) })
    await expect(openRecordsManifest(stored, await key())).rejects.toBeInstanceOf(RecordsManifestDamagedError)
  })

  it('refuses a manifest whose generation in the clear was changed, or that is not one', async () => {
    const k = await key()
    const stored = await sealRecordsManifest(changeRecordsManifest(EMPTY_RECORDS_MANIFEST, { put: [{ id: 'a', version: 1 }] }), k)
    await expect(openRecordsManifest({ ...stored, generation: 7 }, k)).rejects.toBeInstanceOf(RecordsManifestDamagedError)
    await expect(openRecordsManifest('manifest', k)).rejects.toBeInstanceOf(RecordsManifestDamagedError)
    expect(manifestGeneration(undefined)).toBeUndefined()
    expect(manifestGeneration({ generation: 'seven' })).toBeUndefined()
  })

  it('accepts exactly the versions it lists', () => {
    const state = found([{ id: 'a', version: 2 }, { id: 'old', version: 0 }])
    expect(rollbackProblem(row('a', 2), state)).toBeUndefined()
    expect(rollbackProblem(row('old', 0), state)).toBeUndefined()
  })

  it('notices an older copy of a record, a deleted one put back and one put here from elsewhere', () => {
    const state = found([{ id: 'a', version: 2 }, { id: 'b', version: 0 }], ['gone'])
    expect(rollbackProblem(row('a', 1), state)).toBe('it is an older copy than the one last saved')
    expect(rollbackProblem(legacy('a'), state)).toBe('it is an older copy, from before it was last saved')
    expect(rollbackProblem(legacy('b'), state)).toBe('it is an older copy, from before it was last saved')
    expect(rollbackProblem(row('gone', 4), state)).toBe('it was deleted, and an old copy was put back')
    expect(rollbackProblem(legacy('gone'), state)).toBe('it was deleted, and an old copy was put back')
    expect(rollbackProblem(row('stranger', 1), state)).toMatch(/put here from elsewhere/)
    // A record newer than the manifest: the manifest itself was put back from an older copy.
    expect(rollbackProblem(row('a', 3), state)).toMatch(/older than this record/)
  })

  it('accepts format 1 rows it does not list (stored before it existed); without a manifest, checks none of format 2', () => {
    expect(rollbackProblem(legacy('x'), found([{ id: 'a', version: 1 }]))).toBeUndefined()
    expect(rollbackProblem(legacy('x'), { kind: 'missing' })).toBeUndefined()
    expect(rollbackProblem(legacy('x'), { kind: 'damaged' })).toBeUndefined()
    expect(rollbackProblem(row('a', 1), { kind: 'missing' })).toMatch(/is missing/)
    expect(rollbackProblem(row('a', 1), { kind: 'damaged' })).toMatch(/is damaged/)
  })

  it('lists a record again when it is written after being deleted (undo, restore)', () => {
    const deleted = changeRecordsManifest(EMPTY_RECORDS_MANIFEST, { remove: ['a'] })
    const back = changeRecordsManifest(deleted, { put: [{ id: 'a', version: 5 }] })
    expect(rollbackProblem(row('a', 5), { kind: 'found', manifest: back })).toBeUndefined()
    expect(back.generation).toBe(2)
  })
})
