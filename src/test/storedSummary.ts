/**
 * Test support (never bundled): a record row whose sealed summary is rewritten, as an older (or
 * newer) CareKey would have written it, under the row's own data key and associated data.
 */
import { utf8 } from '../domain/crypto/bytes.ts'
import { unwrapDataKey } from '../domain/crypto/envelope.ts'
import { openPadded, sealPadded } from '../domain/crypto/padding.ts'
import type { VersionedEncryptedRecord } from '../domain/records/records.ts'

type StoredFields = Record<string, unknown>

/** The row with its stored summary replaced by what `change` makes of it. */
export async function withStoredSummary(
  row: VersionedEncryptedRecord,
  recordsKey: CryptoKey,
  change: (stored: StoredFields) => StoredFields,
): Promise<VersionedEncryptedRecord> {
  const dataKey = await unwrapDataKey(row.wrappedKey, recordsKey)
  const ad = `carekey-record:v2:${row.id}:${row.version}:${row.createdAt}:${row.updatedAt}:summary`
  const stored = JSON.parse(utf8.decode(await openPadded(dataKey, row.summary, ad))) as StoredFields
  return { ...row, summary: await sealPadded(dataKey, utf8.encode(JSON.stringify(change(stored))), ad) }
}

/** The row as summary revision 1 sealed it: no revision and no aliases, and `fields` as they were then. */
export function asRevisionOne(row: VersionedEncryptedRecord, recordsKey: CryptoKey, fields: StoredFields = {}): Promise<VersionedEncryptedRecord> {
  return withStoredSummary(row, recordsKey, ({ revision: _revision, aliases: _aliases, ...stored }) => ({ ...stored, ...fields }))
}
