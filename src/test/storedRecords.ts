/**
 * Test support (never bundled): records put straight into this device's storage as an import
 * stores them (encrypted, listed in the manifest), and read back by title, for the tests of
 * workflows that carry records without being about importing them (the online backup).
 */
import type { Resource } from '@medplum/fhirtypes'
import { deriveRecordsKeys } from '../domain/records/keys.ts'
import { decryptSummary, encryptRecord, summarizeResource } from '../domain/records/records.ts'
import type { WalletKeys } from '../domain/wallet/keys.ts'
import { readAllRecordRows, writeRecordsChange } from '../storage/recordsRepository.ts'

/**
 * Stores records on the current device as an import does, each with a new id.
 *
 * @example
 * await storeRecords(keys, { resourceType: 'AllergyIntolerance', patient: {}, code: { text: 'Peanut' } })
 */
export async function storeRecords(keys: WalletKeys, ...resources: Resource[]): Promise<void> {
  const { records, manifest } = await deriveRecordsKeys(keys.root)
  const now = Date.now()
  const rows = await Promise.all(
    resources.map(async (resource) => {
      const summary = { ...(await summarizeResource(resource, 'imported')), id: crypto.randomUUID(), version: 1, createdAt: now, updatedAt: now }
      return encryptRecord({ summary, resource }, records)
    }),
  )
  await writeRecordsChange({ putRecords: rows }, manifest)
}

/**
 * The titles of the records stored on the current device, sorted (a duplicate shows twice).
 *
 * @example
 * expect(await storedRecordTitles(keys)).toEqual(['HbA1c', 'Peanut'])
 */
export async function storedRecordTitles(keys: WalletKeys): Promise<string[]> {
  const { records, manifest } = await deriveRecordsKeys(keys.root)
  const { rows } = await readAllRecordRows(manifest)
  return (await Promise.all(rows.map(async (row) => (await decryptSummary(row, records)).title))).sort()
}
