import { deriveRecordsKeys } from '../../domain/records/keys.ts'
import { decryptSummary } from '../../domain/records/records.ts'
import type { RecordSummary } from '../../domain/records/summary.ts'
import { buildRecordsIndex, type RecordsIndex } from '../../domain/records/search.ts'
import { readAllRecordRows } from '../../storage/recordsRepository.ts'

export { deriveRecordsKeys }

/** Reads and decrypts every record's summary into the in-memory index; unreadable rows are counted. */
export async function loadRecordsIndex(recordsKey: CryptoKey): Promise<RecordsIndex> {
  const { rows, damaged } = await readAllRecordRows()
  let unreadable = damaged
  const summaries = await Promise.all(
    rows.map((row) =>
      decryptSummary(row, recordsKey).catch(() => {
        unreadable++
        return undefined
      }),
    ),
  )
  return buildRecordsIndex(
    summaries.filter((s): s is RecordSummary => s !== undefined),
    unreadable,
  )
}
