import 'fake-indexeddb/auto'
import type { Observation } from '@medplum/fhirtypes'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RecordCategory } from '../../domain/fhir/categories.ts'
import { encryptRecord, summarizeResource } from '../../domain/records/records.ts'
import { closeCareKeyDb, useDatabaseName } from '../../storage/db.ts'
import { writeRecordsChange } from '../../storage/recordsRepository.ts'
import { loadRecordsIndex } from './sessionLoaders.ts'

const key = await crypto.subtle.generateKey({ name: 'AES-KW', length: 256 }, false, ['wrapKey', 'unwrapKey'])
const lab = (text: string): Observation => ({ resourceType: 'Observation', status: 'final', code: { text } })

async function row(text: string, category?: RecordCategory) {
  const base = await summarizeResource(lab(text), 'entered')
  const summary = { ...base, category: category ?? base.category, id: crypto.randomUUID(), createdAt: 1, updatedAt: 1 }
  return encryptRecord({ summary, resource: lab(text) }, key)
}

let n = 0
beforeEach(async () => {
  await useDatabaseName(`records-index-${++n}`)
})
afterEach(() => closeCareKeyDb())

describe('the records index at unlock', () => {
  it('counts a record whose summary its schema refuses, and still shows the others', async () => {
    // Sealed correctly, but by a version of CareKey with a category this one does not know.
    const unreadable = await row('Genome', 'genomics' as RecordCategory)
    await writeRecordsChange({ putRecords: [await row('HbA1c'), unreadable, await row('Ferritin')] })
    const index = await loadRecordsIndex(key)
    expect(index.records.map((r) => r.title).sort()).toEqual(['Ferritin', 'HbA1c'])
    expect(index.damaged).toBe(1)
  })
})
