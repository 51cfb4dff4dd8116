import { describe, expect, it } from 'vitest'
import {
  changeRecordsManifest,
  EMPTY_RECORDS_MANIFEST,
  manifestGeneration,
  manifestOfStoredRows,
  openRecordsManifest,
  RecordsManifestDamagedError,
  rollbackProblem,
  sealRecordsManifest,
  versionsUnchecked,
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

  it('accepts format 1 rows it does not list (stored before it existed)', () => {
    expect(rollbackProblem(legacy('x'), found([{ id: 'a', version: 1 }]))).toBeUndefined()
  })

  it('when missing or damaged, hides no record but says that their versions were not checked', () => {
    for (const kind of ['missing', 'damaged'] as const) {
      expect(rollbackProblem(row('a', 1), { kind })).toBeUndefined()
      expect(rollbackProblem(legacy('x'), { kind })).toBeUndefined()
      expect(versionsUnchecked([legacy('x'), row('a', 1)], { kind })).toBe(true)
    }
    expect(versionsUnchecked([row('a', 1)], found([{ id: 'a', version: 1 }]))).toBe(false)
    // A wallet that never wrote a manifest: nothing to say.
    expect(versionsUnchecked([], { kind: 'missing' })).toBe(false)
    expect(versionsUnchecked([legacy('x')], { kind: 'missing' })).toBe(false)
    // A damaged one is itself a sign of trouble while anything is stored.
    expect(versionsUnchecked([legacy('x')], { kind: 'damaged' })).toBe(true)
    expect(versionsUnchecked([], { kind: 'damaged' })).toBe(false)
  })

  it('is rebuilt from the rows stored: format 2 rows with their versions, format 1 rows unlisted, nothing known as deleted', () => {
    const rebuilt = manifestOfStoredRows([row('a', 3), legacy('x'), row('b', 0)], 7)
    expect(rebuilt).toEqual({ generation: 7, versions: new Map([['a', 3], ['b', 0]]), deleted: new Set() })
    const state: ManifestState = { kind: 'found', manifest: changeRecordsManifest(rebuilt, { put: [{ id: 'c', version: 1 }] }) }
    expect(state.manifest.generation).toBe(8)
    for (const r of [row('a', 3), row('b', 0), row('c', 1), legacy('x')]) expect(rollbackProblem(r, state)).toBeUndefined()
    // From then on an older copy is noticed again.
    expect(rollbackProblem(row('a', 2), state)).toBe('it is an older copy than the one last saved')
  })

  it('lists a record again when it is written after being deleted (undo, restore)', () => {
    const deleted = changeRecordsManifest(EMPTY_RECORDS_MANIFEST, { remove: ['a'] })
    const back = changeRecordsManifest(deleted, { put: [{ id: 'a', version: 5 }] })
    expect(rollbackProblem(row('a', 5), { kind: 'found', manifest: back })).toBeUndefined()
    expect(back.generation).toBe(2)
  })
})
