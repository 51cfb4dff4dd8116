import type { Observation } from '@medplum/fhirtypes'
import { describe, expect, it } from 'vitest'
import { KeyUnwrapError } from '../crypto/envelope.ts'
import type { RecordCategory } from '../fhir/categories.ts'
import { decryptResource, decryptSummary, encryptRecord, parseStoredRecord, RecordDamagedError, summarizeResource } from './records.ts'

const kek = () => crypto.subtle.generateKey({ name: 'AES-KW', length: 256 }, false, ['wrapKey', 'unwrapKey'])
const lab: Observation = {
  resourceType: 'Observation',
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
  code: { text: 'Hémoglobine A1c' },
  valueQuantity: { value: 6.9, unit: '%' },
  effectiveDateTime: '2024-03-12',
  performer: [{ display: 'Northgate Lab' }],
}

async function record() {
  const summary = { ...(await summarizeResource(lab, 'imported')), id: crypto.randomUUID(), createdAt: 1, updatedAt: 2 }
  return { summary, resource: lab }
}

describe('records at rest', () => {
  it('summarises a resource for the timeline, filters and search', async () => {
    const { summary } = await record()
    expect(summary).toMatchObject({ category: 'labs', title: 'Hémoglobine A1c', date: '2024-03-12', detail: '6.9 %', recorder: 'Northgate Lab' })
    expect(summary.searchText).toContain('hemoglobine a1c')
    expect(summary.duplicateKeys[0]).toMatch(/^content:Observation:[0-9a-f]{64}$/)
  })

  it('encrypts the resource and its summary, and decrypts them with the records key', async () => {
    const key = await kek()
    const { summary, resource } = await record()
    const row = parseStoredRecord(structuredClone(await encryptRecord({ summary, resource }, key)))
    const bytes = new TextDecoder().decode(row.resource.ciphertext) + new TextDecoder().decode(row.summary.ciphertext)
    expect(bytes).not.toContain('A1c')
    expect(await decryptSummary(row, key)).toEqual(summary)
    expect(await decryptResource(row, key)).toEqual(resource)
  })

  it('refuses a record moved under another id, changed, or wrapped for another wallet', async () => {
    const key = await kek()
    const row = await encryptRecord(await record(), key)
    await expect(decryptResource({ ...row, id: crypto.randomUUID() }, key)).rejects.toBeInstanceOf(RecordDamagedError)
    const changed = row.resource.ciphertext.slice()
    changed[3] = (changed[3] ?? 0) ^ 0xff
    await expect(decryptResource({ ...row, resource: { ...row.resource, ciphertext: changed } }, key)).rejects.toBeInstanceOf(RecordDamagedError)
    await expect(decryptSummary(row, await kek())).rejects.toBeInstanceOf(KeyUnwrapError)
  })

  it('refuses stored rows of the wrong shape', () => {
    expect(() => parseStoredRecord({ format: 2 })).toThrow(RecordDamagedError)
    expect(() => parseStoredRecord(null)).toThrow('it is not a record row')
  })

  it('says which part of a stored row is damaged', async () => {
    const row = await encryptRecord(await record(), await kek())
    expect(() => parseStoredRecord({ ...row, createdAt: undefined })).toThrow('its createdAt is missing')
    expect(() => parseStoredRecord({ ...row, summary: { ...row.summary, iv: row.summary.iv.slice(1) } })).toThrow('its summary iv must be 12 bytes')
    expect(() => parseStoredRecord({ ...row, wrappedKey: 'key' })).toThrow('its wrappedKey is not bytes')
  })

  it('refuses a summary that decrypts but is not one CareKey can read', async () => {
    const key = await kek()
    const { summary, resource } = await record()
    // A summary from a version of CareKey with a category this one does not know.
    const unknownCategory = { ...summary, category: 'genomics' as RecordCategory }
    const row = await encryptRecord({ summary: unknownCategory, resource }, key)
    await expect(decryptSummary(row, key)).rejects.toThrow("its summary's category is not a known category")
  })
})
