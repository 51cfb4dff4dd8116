import { KeyUnwrapError } from '../../domain/crypto/envelope.ts'
import { LEGACY_ATTACHMENT_FORMAT, upgradeLegacyAttachment } from '../../domain/records/attachments.ts'
import { deriveRecordsKeys, type RecordsKeys } from '../../domain/records/keys.ts'
import { rollbackProblem, versionsUnchecked } from '../../domain/records/manifest.ts'
import { decryptSummary, LEGACY_RECORD_FORMAT, RecordDamagedError, upgradeLegacyRecord, type LegacyEncryptedRecord } from '../../domain/records/records.ts'
import type { RecordSummary } from '../../domain/records/summary.ts'
import { buildRecordsIndex, type RecordsIndex } from '../../domain/records/search.ts'
import { readAllRecordRows, readAttachment, readAttachmentRows, replaceLegacyAttachment, replaceLegacyRecords } from '../../storage/recordsRepository.ts'

export { deriveRecordsKeys }

/** The records as read at unlock: the index, and the format 1 rows that opened (to be re-sealed). */
export type LoadedRecords = { index: RecordsIndex; legacy: LegacyEncryptedRecord[] }

/**
 * Reads and decrypts every record's summary into the in-memory index. A row that cannot be read,
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
  const legacy: LegacyEncryptedRecord[] = []
  const summaries = await Promise.all(
    rows.map(async (row): Promise<RecordSummary | undefined> => {
      try {
        const problem = rollbackProblem(row, manifest)
        if (problem) throw new RecordDamagedError(problem)
        const summary = await decryptSummary(row, keys.records)
        if (row.format === LEGACY_RECORD_FORMAT) legacy.push(row)
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
    legacy,
  }
}

/** How many format 1 rows are re-sealed per transaction. */
const UPGRADE_BATCH = 100

/**
 * Re-seals what is stored in format 1 (records: unpadded, bound to their id only; attachments:
 * unpadded, their size in the clear) in today's format, after unlock. Each batch of records is
 * one transaction that replaces only rows still exactly as they were read, with the manifest;
 * each attachment is one transaction too. A row that does not open is left as it is. Stops
 * between steps once `stillWanted` says no (the wallet was locked). Returns how many were
 * re-sealed.
 *
 * @example
 * await upgradeRecordsAtRest(keys, loaded.legacy, () => session.isFor(walletKeys))
 */
export async function upgradeRecordsAtRest(
  keys: RecordsKeys,
  legacy: readonly LegacyEncryptedRecord[],
  stillWanted: () => boolean,
): Promise<{ records: number; attachments: number }> {
  let records = 0
  for (let start = 0; start < legacy.length && stillWanted(); start += UPGRADE_BATCH) {
    const batch = legacy.slice(start, start + UPGRADE_BATCH)
    const pairs = (
      await Promise.all(
        batch.map((row) =>
          upgradeLegacyRecord(row, keys.records).then((upgraded) => ({ legacy: row, upgraded }), leftAsItIs),
        ),
      )
    ).filter((pair) => pair !== undefined)
    // Refused when another tab changed one of them meanwhile: the next unlock tries again.
    if (stillWanted() && (await replaceLegacyRecords(pairs, keys.manifest))) records += pairs.length
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
