import { KeyUnwrapError } from '../../domain/crypto/envelope.ts'
import { LEGACY_ATTACHMENT_FORMAT, upgradeLegacyAttachment } from '../../domain/records/attachments.ts'
import { deriveRecordsKeys, type RecordsKeys } from '../../domain/records/keys.ts'
import { rollbackProblem, versionsUnchecked } from '../../domain/records/manifest.ts'
import { LEGACY_RECORD_FORMAT, openSummary, RecordDamagedError, resealRecord, type EncryptedRecord } from '../../domain/records/records.ts'
import type { RecordSummary } from '../../domain/records/summary.ts'
import { buildRecordsIndex, type RecordsIndex } from '../../domain/records/search.ts'
import { readAllRecordRows, readAttachment, readAttachmentRows, replaceLegacyAttachment, replaceRecordRows } from '../../storage/recordsRepository.ts'

export { deriveRecordsKeys }

/**
 * The records as read at unlock: the index, and the rows that opened but are stored in an older
 * way (format 1, or a summary of an older revision), to be re-sealed.
 */
export type LoadedRecords = { index: RecordsIndex; outdated: EncryptedRecord[] }

/**
 * Reads and decrypts every record's summary into the in-memory index; a summary an older
 * revision wrote is computed again from its resource (records.ts, `openSummary`), so the index
 * is today's from the first unlock. A row that cannot be read,
 * or that is not the copy the records manifest lists (an older copy put back, see
 * domain/records/manifest.ts), is counted as damaged and left out. Without a readable manifest
 * the records that open are shown, and the index says their versions were not checked.
 *
 * @example
 * const { index } = await loadRecordsIndex(await deriveRecordsKeys(keys.root))
 */
export async function loadRecordsIndex(keys: RecordsKeys): Promise<LoadedRecords> {
  const { rows, damaged, manifest } = await readAllRecordRows(keys.manifest)
  let unreadable = damaged
  const outdated: EncryptedRecord[] = []
  const summaries = await Promise.all(
    rows.map(async (row): Promise<RecordSummary | undefined> => {
      try {
        const problem = rollbackProblem(row, manifest)
        if (problem) throw new RecordDamagedError(problem)
        const { summary, current } = await openSummary(row, keys.records)
        if (row.format === LEGACY_RECORD_FORMAT || !current) outdated.push(row)
        return summary
      } catch {
        // Damaged, another wallet's or an older copy: counted and shown as such, never opened.
        unreadable++
        return undefined
      }
    }),
  )
  return {
    index: buildRecordsIndex(
      summaries.filter((s): s is RecordSummary => s !== undefined),
      unreadable,
      versionsUnchecked(rows, manifest),
    ),
    outdated,
  }
}

/** How many outdated rows are re-sealed per transaction. */
const UPGRADE_BATCH = 100

/**
 * Re-seals what is stored in an older way in today's format, after unlock: records in format 1
 * (unpadded, bound to their id only) or with a summary of an older revision (records.ts,
 * `resealRecord`), and attachments in format 1 (unpadded, their size in the clear). Each batch of records is
 * one transaction that replaces only rows still exactly as they were read, with the manifest;
 * each attachment is one transaction too. A row that does not open is left as it is. Stops
 * between steps once `stillWanted` says no (the wallet was locked). Returns how many were
 * re-sealed.
 *
 * @example
 * await upgradeRecordsAtRest(keys, loaded.outdated, () => session.isFor(walletKeys))
 */
export async function upgradeRecordsAtRest(
  keys: RecordsKeys,
  outdated: readonly EncryptedRecord[],
  stillWanted: () => boolean,
): Promise<{ records: number; attachments: number }> {
  let records = 0
  for (let start = 0; start < outdated.length && stillWanted(); start += UPGRADE_BATCH) {
    const batch = outdated.slice(start, start + UPGRADE_BATCH)
    const pairs = (
      await Promise.all(batch.map((row) => resealRecord(row, keys.records).then((resealed) => ({ stored: row, resealed }), leftAsItIs)))
    ).filter((pair) => pair !== undefined)
    // Refused when another tab changed one of them meanwhile: the next unlock tries again.
    if (stillWanted() && (await replaceRecordRows(pairs, keys.manifest))) records += pairs.length
  }
  let attachments = 0
  const legacyAttachments = stillWanted() ? (await readAttachmentRows()).filter((a) => a.format === LEGACY_ATTACHMENT_FORMAT) : []
  for (const { id } of legacyAttachments) {
    if (!stillWanted()) break
    // One at a time: a file is decrypted and encrypted again in memory.
    const stored = await readAttachment(id).catch(leftAsItIs)
    if (stored?.attachment.format !== LEGACY_ATTACHMENT_FORMAT) continue
    const upgraded = await upgradeLegacyAttachment(stored.attachment, stored.chunks, keys.records).catch(leftAsItIs)
    if (upgraded && stillWanted() && (await replaceLegacyAttachment(stored.attachment, upgraded))) attachments++
  }
  return { records, attachments }
}

/** A row that does not open is left as it is (and counted as damaged where it is read); anything else stops the upgrade. */
function leftAsItIs(error: unknown): undefined {
  if (error instanceof RecordDamagedError || error instanceof KeyUnwrapError) return undefined
  throw error
}
