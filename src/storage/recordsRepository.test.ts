import 'fake-indexeddb/auto'
import type { Observation } from '@medplum/fhirtypes'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { encryptRecord, RecordDamagedError, summarizeResource, type EncryptedRecord } from '../domain/records/records.ts'
import { closeCareKeyDb, openCareKeyDb, useDatabaseName } from './db.ts'
import { readAllRecordRows, readEverything, readRecordRow, writeRecordsChange } from './recordsRepository.ts'

const key = await crypto.subtle.generateKey({ name: 'AES-KW', length: 256 }, false, ['wrapKey', 'unwrapKey'])
const lab = (text: string): Observation => ({ resourceType: 'Observation', status: 'final', code: { text } })

async function row(text: string): Promise<EncryptedRecord> {
  const summary = { ...(await summarizeResource(lab(text), 'entered')), id: crypto.randomUUID(), createdAt: 1, updatedAt: 1 }
  return encryptRecord({ summary, resource: lab(text) }, key)
}

let n = 0
beforeEach(async () => {
  await useDatabaseName(`records-repository-${++n}`)
})
afterEach(() => closeCareKeyDb())

describe('record rows at rest', () => {
  it('are checked by their schema: a damaged row is counted and refused, and the others are still read', async () => {
    const [a, b, c] = await Promise.all([row('HbA1c'), row('Ferritin'), row('Lipids')])
    await writeRecordsChange({ putRecords: [a, b, c] })
    const db = await openCareKeyDb()
    // Damaged on disk: the summary's IV lost a byte.
    await db.put('records', { ...b, summary: { ...b.summary, iv: b.summary.iv.slice(1) } })

    const { rows, damaged } = await readAllRecordRows()
    expect(rows.map((r) => r.id).sort()).toEqual([a.id, c.id].sort())
    expect(damaged).toBe(1)
    await expect(readRecordRow(b.id)).rejects.toBeInstanceOf(RecordDamagedError)
    expect(await readRecordRow(a.id)).toEqual(a)
    expect((await readEverything()).records.map((r) => r.id).sort()).toEqual([a.id, c.id].sort())
  })
})
