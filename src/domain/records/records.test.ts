import type { AllergyIntolerance, Observation } from '@medplum/fhirtypes'
import { describe, expect, it } from 'vitest'
import { utf8 } from '../crypto/bytes.ts'
import { KeyUnwrapError, unwrapDataKey } from '../crypto/envelope.ts'
import { sealPadded } from '../crypto/padding.ts'
import type { RecordCategory } from '../fhir/categories.ts'
import { deriveWalletKeys } from '../wallet/keys.ts'
import { parseRecoveryPhrase } from '../wallet/mnemonic.ts'
import { FORMAT1 } from '../../test/format1Fixture.ts'
import { deriveRecordsKeys } from './keys.ts'
import {
  decryptResource,
  decryptSummary,
  encryptRecord,
  openSummary,
  parseStoredRecord,
  RecordDamagedError,
  resealRecord,
  summarizeResource,
  type VersionedEncryptedRecord,
} from './records.ts'
import { SUMMARY_REVISION } from './summary.ts'
import { asRevisionOne, withStoredSummary } from '../../test/storedSummary.ts'

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
  const summary = { ...(await summarizeResource(lab, 'imported')), id: crypto.randomUUID(), version: 1, createdAt: 1, updatedAt: 2 }
  return { summary, resource: lab }
}

/** Both ciphertexts of a row fail: the summary and the resource. */
async function expectDamaged(row: VersionedEncryptedRecord, key: CryptoKey) {
  await expect(decryptSummary(row, key)).rejects.toBeInstanceOf(RecordDamagedError)
  await expect(decryptResource(row, key)).rejects.toBeInstanceOf(RecordDamagedError)
}

describe('records at rest', () => {
  it('summarises a resource for the timeline, filters and search', async () => {
    const { summary } = await record()
    expect(summary).toMatchObject({ category: 'labs', title: 'Hémoglobine A1c', date: '2024-03-12', detail: '6.9 %', recorder: 'Northgate Lab' })
    expect(summary.searchText).toContain('hemoglobine a1c')
    expect(summary.duplicateKeys[0]).toMatch(/^content:Observation:[0-9a-f]{64}$/)
  })

  it('lets a search find a record by its codes and the names of their systems', async () => {
    const coded: Observation = { ...lab, code: { coding: [{ system: 'http://loinc.org', code: '4548-4', display: 'Hemoglobin A1c' }] } }
    const { searchText } = await summarizeResource(coded, 'imported')
    expect(searchText).toContain('loinc 4548-4')
    const condition = await summarizeResource(
      { resourceType: 'Condition', subject: {}, code: { text: 'Diabetes', coding: [{ system: 'http://snomed.info/sct', code: '44054006' }] } },
      'imported',
    )
    expect(condition.searchText).toContain('snomed ct 44054006')
    const twice = await summarizeResource(
      {
        resourceType: 'Condition',
        subject: {},
        code: {
          coding: [
            { system: 'http://snomed.info/sct', code: '44054006', display: 'Diabetes mellitus type 2' },
            { system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'E11.9', display: 'Type 2 diabetes mellitus without complications' },
          ],
        },
      },
      'imported',
    )
    expect(twice.title).toBe('Diabetes mellitus type 2')
    expect(twice.searchText).toContain('icd-10-cm e11.9')
    expect(twice.searchText).toContain('without complications')
  })

  it('knows a record by the names its source may refer to it with', async () => {
    const id = '9a918a7a-41ea-42c0-a0b1-9236e05144b6'
    expect((await summarizeResource({ ...lab, id }, 'imported', [], { fullUrl: 'https://fhir.example.org/Observation/x1' })).aliases).toEqual([
      `Observation/${id}`,
      `urn:uuid:${id}`,
      'https://fhir.example.org/Observation/x1',
      'Observation/x1',
    ])
    // An edit keeps the names the record was imported with.
    expect((await summarizeResource(lab, 'imported', [], { aliases: ['urn:uuid:kept'] })).aliases).toEqual(['urn:uuid:kept'])
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
    expect(() => parseStoredRecord({ format: 3 })).toThrow('its format is not a known format')
    expect(() => parseStoredRecord(null)).toThrow('it is not a record row')
  })

  it('says which part of a stored row is damaged', async () => {
    const row = await encryptRecord(await record(), await kek())
    expect(() => parseStoredRecord({ ...row, createdAt: undefined })).toThrow('its createdAt is missing')
    expect(() => parseStoredRecord({ ...row, summary: { ...row.summary, iv: row.summary.iv.slice(1) } })).toThrow('its summary iv must be 12 bytes')
    expect(() => parseStoredRecord({ ...row, wrappedKey: 'key' })).toThrow('its wrappedKey is not bytes')
    expect(() => parseStoredRecord({ ...row, version: undefined })).toThrow('its version is missing')
    expect(() => parseStoredRecord({ ...row, version: -1 })).toThrow('its version is not valid')
  })

  it('refuses a summary that decrypts but is not one CareKey can read', async () => {
    const key = await kek()
    const { summary, resource } = await record()
    // A summary from a version of CareKey with a category this one does not know.
    const unknownCategory = { ...summary, category: 'genomics' as RecordCategory }
    const row = await encryptRecord({ summary: unknownCategory, resource }, key)
    await expect(decryptSummary(row, key)).rejects.toThrow("its summary's category is not a known category")
  })

  it('binds the id, the version and both dates to the ciphertexts: a row whose metadata was changed is damaged', async () => {
    const key = await kek()
    const row = await encryptRecord(await record(), key)
    expect(await decryptSummary(row, key)).toMatchObject({ version: 1, createdAt: 1, updatedAt: 2 })
    await expectDamaged({ ...row, version: 2 }, key)
    await expectDamaged({ ...row, updatedAt: row.updatedAt + 1 }, key)
    await expectDamaged({ ...row, createdAt: 0 }, key)
    await expectDamaged({ ...row, id: crypto.randomUUID() }, key)
  })

  it('refuses an older ciphertext put under the newer metadata of the same record', async () => {
    const key = await kek()
    const { summary, resource } = await record()
    const older = await encryptRecord({ summary, resource }, key)
    const newer = await encryptRecord({ summary: { ...summary, version: 2, updatedAt: 50 }, resource: { ...resource, status: 'amended' } }, key)
    // The whole older ciphertext (with its own wrapped key) under the newer version and date.
    await expectDamaged({ ...older, version: newer.version, updatedAt: newer.updatedAt }, key)
    // Only the older summary under the newer row.
    await expect(decryptSummary({ ...newer, summary: older.summary }, key)).rejects.toBeInstanceOf(RecordDamagedError)
    expect(await decryptResource(newer, key)).toMatchObject({ status: 'amended' })
  })

  it('checks that the version and dates sealed in the summary agree with the row', async () => {
    const key = await kek()
    const row = await encryptRecord(await record(), key)
    // A summary sealed with this row's associated data, but saying it is version 1 of a row that says 2.
    const claimed = { ...row, version: 2 }
    const dataKey = await unwrapDataKey(row.wrappedKey, key)
    const inner = { ...(await decryptSummary(row, key)), v: 2 }
    const summary = await sealPadded(dataKey, utf8.encode(JSON.stringify(inner)), `carekey-record:v2:${row.id}:2:${row.createdAt}:${row.updatedAt}:summary`)
    await expect(decryptSummary({ ...claimed, summary }, key)).rejects.toThrow('its summary does not match its version and dates')
  })

  it('pads both ciphertexts, so that records of different kinds and sizes in one bucket are the same length', async () => {
    const key = await kek()
    const allergy: AllergyIntolerance = { resourceType: 'AllergyIntolerance', patient: { display: 'Me' }, code: { text: 'Latex' } }
    const rows = await Promise.all(
      [lab, allergy].map(async (resource) =>
        encryptRecord({ summary: { ...(await summarizeResource(resource, 'entered')), id: crypto.randomUUID(), createdAt: 1, updatedAt: 1 }, resource }, key),
      ),
    )
    const [a, b] = rows
    if (!a || !b) throw new Error('two rows expected')
    expect(JSON.stringify(lab).length).not.toBe(JSON.stringify(allergy).length)
    expect(a.resource.ciphertext.length).toBe(b.resource.ciphertext.length)
    expect(a.summary.ciphertext.length).toBe(b.summary.ciphertext.length)
    // 1 KiB bucket + the GCM tag.
    expect(a.resource.ciphertext.length).toBe(1024 + 16)
  })

  it('still reads a record stored in format 1, and upgrades it to format 2 without changing what it says', async () => {
    const wallet = await deriveWalletKeys(parseRecoveryPhrase(FORMAT1.phrase))
    const { records: key } = await deriveRecordsKeys(wallet.root)
    const [frozen] = FORMAT1.records
    if (!frozen) throw new Error('a frozen row expected')
    const legacy = parseStoredRecord(structuredClone(frozen))
    if (legacy.format !== 1) throw new Error('a format 1 row expected')
    const [summary, resource] = [await decryptSummary(legacy, key), await decryptResource(legacy, key)]
    expect(summary).toMatchObject({ title: FORMAT1.expected.titles[0], version: 0, createdAt: frozen.createdAt, updatedAt: frozen.updatedAt })

    const upgraded = await resealRecord(legacy, key)
    expect(upgraded).toMatchObject({ format: 2, id: legacy.id, version: 0, createdAt: legacy.createdAt, updatedAt: legacy.updatedAt })
    expect(await decryptSummary(upgraded, key)).toEqual(summary)
    expect(await decryptResource(upgraded, key)).toEqual(resource)
    expect(upgraded.resource.ciphertext.length).toBe(1024 + 16)
    // Its old ciphertext under the new format's metadata does not open.
    await expect(decryptSummary({ ...upgraded, wrappedKey: legacy.wrappedKey, summary: legacy.summary }, key)).rejects.toBeInstanceOf(RecordDamagedError)
  })

  it('computes a summary an older revision wrote again from its resource, and re-seals it with the same version and dates', async () => {
    const key = await kek()
    const { summary, resource } = await record()
    const coded: Observation = { ...resource, code: { text: 'Hemoglobin A1c/Hemoglobin.total in Blood' }, id: '9a918a7a-41ea-42c0-a0b1-9236e05144b6' }
    const row = await encryptRecord({ summary, resource: coded }, key)
    // As revision 1 sealed it: no revision, no aliases, the title as the text was.
    const old = await asRevisionOne(row, key, { title: 'Hemoglobin A1c/Hemoglobin.total in Blood', searchText: 'old' })
    const opened = await openSummary(old, key)
    expect(opened.current).toBe(false)
    expect(opened.summary).toMatchObject({ title: 'Hemoglobin A1c', aliases: ['Observation/9a918a7a-41ea-42c0-a0b1-9236e05144b6', 'urn:uuid:9a918a7a-41ea-42c0-a0b1-9236e05144b6'] })
    expect(opened.summary.searchText).toContain('hemoglobin a1c/hemoglobin.total in blood')

    const resealed = await resealRecord(old, key)
    expect(resealed).toMatchObject({ format: 2, id: row.id, version: row.version, createdAt: row.createdAt, updatedAt: row.updatedAt })
    expect(await openSummary(resealed, key)).toEqual({ summary: opened.summary, current: true })
    expect(await decryptResource(resealed, key)).toEqual(coded)
  })

  it('shows an older summary as it was stored when its resource does not open, and does not re-seal it', async () => {
    const key = await kek()
    const row = await encryptRecord(await record(), key)
    const old = await withStoredSummary(row, key, (stored) => ({ ...stored, revision: undefined, title: 'As stored' }))
    const changed = old.resource.ciphertext.slice()
    changed[5] = (changed[5] ?? 0) ^ 1
    const damaged = { ...old, resource: { ...old.resource, ciphertext: changed } }
    expect(await openSummary(damaged, key)).toMatchObject({ summary: { title: 'As stored', aliases: [] }, current: false })
    await expect(resealRecord(damaged, key)).rejects.toBeInstanceOf(RecordDamagedError)
  })

  it('keeps a summary a newer CareKey wrote as it is', async () => {
    const key = await kek()
    const row = await encryptRecord(await record(), key)
    const newer = await withStoredSummary(row, key, (stored) => ({ ...stored, revision: SUMMARY_REVISION + 1, title: 'Named by a newer CareKey' }))
    expect(await openSummary(newer, key)).toMatchObject({ summary: { title: 'Named by a newer CareKey' }, current: true })
  })

  it('does not upgrade a format 1 record it cannot read back', async () => {
    const wallet = await deriveWalletKeys(parseRecoveryPhrase(FORMAT1.phrase))
    const { records: key } = await deriveRecordsKeys(wallet.root)
    const legacy = parseStoredRecord(structuredClone(FORMAT1.records[1]))
    if (legacy.format !== 1) throw new Error('a format 1 row expected')
    const changed = legacy.resource.ciphertext.slice()
    changed[0] = (changed[0] ?? 0) ^ 1
    await expect(resealRecord({ ...legacy, resource: { ...legacy.resource, ciphertext: changed } }, key)).rejects.toBeInstanceOf(RecordDamagedError)
    await expect(resealRecord(legacy, await kek())).rejects.toBeInstanceOf(RecordDamagedError)
  })
})

