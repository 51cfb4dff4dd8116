import 'fake-indexeddb/auto'
import type { Observation } from '@medplum/fhirtypes'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openRecordsManifest } from '../domain/records/manifest.ts'
import { encryptRecord, parseStoredRecord, RecordDamagedError, summarizeResource, type VersionedEncryptedRecord } from '../domain/records/records.ts'
import { FORMAT1 } from '../test/format1Fixture.ts'
import { closeCareKeyDb, openCareKeyDb, useDatabaseName } from './db.ts'
import {
  readAllRecordRows,
  readEverything,
  readRecordRow,
  RECORDS_MANIFEST_SETTING,
  replaceRecordRows,
  writeRecordsChange,
} from './recordsRepository.ts'

const key = await crypto.subtle.generateKey({ name: 'AES-KW', length: 256 }, false, ['wrapKey', 'unwrapKey'])
const manifestKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
const lab = (text: string): Observation => ({ resourceType: 'Observation', status: 'final', code: { text } })

async function row(text: string, version = 1): Promise<VersionedEncryptedRecord> {
  const summary = { ...(await summarizeResource(lab(text), 'entered')), id: crypto.randomUUID(), version, createdAt: 1, updatedAt: version }
  return encryptRecord({ summary, resource: lab(text) }, key)
}

async function storedManifest() {
  const db = await openCareKeyDb()
  return openRecordsManifest(await db.get('settings', RECORDS_MANIFEST_SETTING), manifestKey)
}

let n = 0
beforeEach(async () => {
  await useDatabaseName(`records-repository-${++n}`)
})
afterEach(() => closeCareKeyDb())

describe('record rows at rest', () => {
  it('are checked by their schema: a damaged row is counted and refused, and the others are still read', async () => {
    const [a, b, c] = await Promise.all([row('HbA1c'), row('Ferritin'), row('Lipids')])
    await writeRecordsChange({ putRecords: [a, b, c] }, manifestKey)
    const db = await openCareKeyDb()
    // Damaged on disk: the summary's IV lost a byte.
    await db.put('records', { ...b, summary: { ...b.summary, iv: b.summary.iv.slice(1) } })

    const { rows, damaged } = await readAllRecordRows(manifestKey)
    expect(rows.map((r) => r.id).sort()).toEqual([a.id, c.id].sort())
    expect(damaged).toBe(1)
    await expect(readRecordRow(b.id)).rejects.toBeInstanceOf(RecordDamagedError)
    expect(await readRecordRow(a.id)).toEqual(a)
    expect((await readEverything(manifestKey)).records.map((r) => r.id).sort()).toEqual([a.id, c.id].sort())
  })

  it('are listed with their versions in the manifest, in the same transaction as every change', async () => {
    const [a, b] = await Promise.all([row('HbA1c'), row('Ferritin')])
    await writeRecordsChange({ putRecords: [a, b] }, manifestKey)
    const newerA = { ...(await row('HbA1c', 2)), id: a.id }
    await writeRecordsChange({ putRecords: [newerA], deleteRecordIds: [b.id] }, manifestKey)
    const manifest = await storedManifest()
    expect(manifest.versions).toEqual(new Map([[a.id, 2]]))
    expect(manifest.deleted).toEqual(new Set([b.id]))
    expect(manifest.generation).toBe(2)
    const { manifest: state } = await readAllRecordRows(manifestKey)
    expect(state).toEqual({ kind: 'found', manifest })
  })

  it('leave an older copy put back out of a backup', async () => {
    const [a, b] = await Promise.all([row('HbA1c'), row('Ferritin')])
    await writeRecordsChange({ putRecords: [a, b] }, manifestKey)
    await writeRecordsChange({ putRecords: [{ ...(await row('HbA1c', 2)), id: a.id }] }, manifestKey)
    await (await openCareKeyDb()).put('records', a)
    expect((await readEverything(manifestKey)).records).toEqual([b])
  })

  it('keep the manifest right when several tabs write at once: each write starts again on top of the other', async () => {
    const rows = await Promise.all(['A', 'B', 'C', 'D'].map((t) => row(t)))
    // Started together, they all read the same manifest; only one may write on top of it at a time.
    await Promise.all(rows.map((r) => writeRecordsChange({ putRecords: [r] }, manifestKey)))
    const manifest = await storedManifest()
    expect([...manifest.versions.keys()].sort()).toEqual(rows.map((r) => r.id).sort())
    expect(manifest.generation).toBe(4)
  })

  it('report a manifest that is missing or damaged, and a write then rebuilds it from every row stored, so none becomes hidden', async () => {
    expect((await readAllRecordRows(manifestKey)).manifest).toEqual({ kind: 'missing' })
    const [a, b] = await Promise.all([row('HbA1c'), row('Ferritin', 2)])
    await writeRecordsChange({ putRecords: [a, b] }, manifestKey)
    const db = await openCareKeyDb()
    const stored: unknown = await db.get('settings', RECORDS_MANIFEST_SETTING)
    await db.put('settings', { ...(stored as object), generation: 9 }, RECORDS_MANIFEST_SETTING)
    expect((await readAllRecordRows(manifestKey)).manifest).toEqual({ kind: 'damaged' })
    // Unchecked, but not left out of a backup either.
    expect((await readEverything(manifestKey)).records.map((r) => r.id).sort()).toEqual([a.id, b.id].sort())

    const next = await row('Lipids')
    await writeRecordsChange({ putRecords: [next] }, manifestKey)
    expect(await storedManifest()).toEqual({
      generation: 10,
      versions: new Map([
        [a.id, 1],
        [b.id, 2],
        [next.id, 1],
      ]),
      deleted: new Set(),
    })

    await db.delete('settings', RECORDS_MANIFEST_SETTING)
    expect((await readAllRecordRows(manifestKey)).manifest).toEqual({ kind: 'missing' })
    await writeRecordsChange({ deleteRecordIds: [next.id] }, manifestKey)
    expect(await storedManifest()).toEqual({
      generation: 1,
      versions: new Map([
        [a.id, 1],
        [b.id, 2],
      ]),
      deleted: new Set([next.id]),
    })
  })

  it('rebuild a missing manifest on top of what another tab wrote meanwhile', async () => {
    const a = await row('HbA1c')
    await (await openCareKeyDb()).put('records', a)
    const rows = await Promise.all(['B', 'C', 'D'].map((t) => row(t)))
    await Promise.all(rows.map((r) => writeRecordsChange({ putRecords: [r] }, manifestKey)))
    const manifest = await storedManifest()
    expect([...manifest.versions.keys()].sort()).toEqual([a, ...rows].map((r) => r.id).sort())
    expect(manifest.generation).toBe(3)
  })

  it('are replaced by their re-sealed rows only while they are exactly as read', async () => {
    const db = await openCareKeyDb()
    const [first, second] = FORMAT1.records.map((r) => parseStoredRecord(structuredClone(r)))
    if (first?.format !== 1 || second?.format !== 1) throw new Error('format 1 rows expected')
    for (const r of [first, second]) await db.put('records', r)
    // Stand-ins for the upgrades: the test checks which rows are replaced, not their contents.
    const upgraded = { ...(await row('Upgraded', 0)), id: first.id }
    expect(await replaceRecordRows([{ stored: first, resealed: upgraded }], manifestKey)).toBe(true)
    expect(await readRecordRow(first.id)).toEqual(upgraded)
    expect((await storedManifest()).versions.get(first.id)).toBe(0)

    // Another tab changed the second row in between: nothing is replaced.
    await db.put('records', { ...second, updatedAt: second.updatedAt + 1 })
    const generation = (await storedManifest()).generation
    expect(await replaceRecordRows([{ stored: second, resealed: { ...(await row('Upgraded', 0)), id: second.id } }], manifestKey)).toBe(false)
    expect(await readRecordRow(second.id)).toMatchObject({ format: 1, updatedAt: second.updatedAt + 1 })
    expect((await storedManifest()).generation).toBe(generation)

    // A format 2 row is replaced by its re-sealing at the same version; not once it was saved again.
    const resealing = async (stored: VersionedEncryptedRecord) => ({ ...(await row('Newer summary', stored.version)), id: stored.id, createdAt: stored.createdAt, updatedAt: stored.updatedAt })
    const [current, saved] = await Promise.all([row('Older summary', 3), row('Older summary', 3)])
    await writeRecordsChange({ putRecords: [current, saved] }, manifestKey)
    const edited = { ...(await row('Edited', 4)), id: saved.id }
    await writeRecordsChange({ putRecords: [edited] }, manifestKey)
    expect(await replaceRecordRows([{ stored: saved, resealed: await resealing(saved) }], manifestKey)).toBe(false)
    expect(await readRecordRow(saved.id)).toEqual(edited)
    const resealed = await resealing(current)
    expect(await replaceRecordRows([{ stored: current, resealed }], manifestKey)).toBe(true)
    expect(await readRecordRow(current.id)).toEqual(resealed)
  })
})
