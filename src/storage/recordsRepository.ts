import type { IDBPDatabase, IDBPTransaction } from 'idb'
import { bytesEqual } from '../domain/crypto/bytes.ts'
import {
  parseStoredAttachment,
  parseStoredChunk,
  type EncryptedAttachment,
  type EncryptedChunk,
  type LegacyEncryptedAttachment,
  type PaddedEncryptedAttachment,
} from '../domain/records/attachments.ts'
import {
  changeRecordsManifest,
  manifestGeneration,
  manifestOfStoredRows,
  openRecordsManifest,
  RecordsManifestDamagedError,
  rollbackProblem,
  sealRecordsManifest,
  type ManifestState,
  type RecordsManifest,
} from '../domain/records/manifest.ts'
import { parseStoredRecord, recordVersion, type EncryptedRecord, type VersionedEncryptedRecord } from '../domain/records/records.ts'
import { CareKeyError } from '../domain/errors.ts'
import { openCareKeyDb, type CareKeyDB } from './db.ts'
import { storageCall } from './errors.ts'
import { noteLocalChange } from './localChanges.ts'
import { abortTransaction, writeAllOrNothing } from './transactions.ts'

/**
 * Encrypted records and attachments in IndexedDB. Everything here is ciphertext plus random
 * ids, versions, chunk counts and timestamps; encryption happens before a transaction opens
 * (WebCrypto calls inside one would let it commit early). Every change is one transaction: all
 * or nothing, and it rewrites the records manifest (domain/records/manifest.ts) in the same
 * transaction, so that the manifest always lists exactly the versions stored.
 */

export type StoredAttachment = { attachment: EncryptedAttachment; chunks: EncryptedChunk[] }

/** One all-or-nothing change to the records store. Records are written in today's format only. */
export type RecordsChange = {
  putRecords?: VersionedEncryptedRecord[]
  putAttachments?: StoredAttachment[]
  deleteRecordIds?: string[]
  deleteAttachmentIds?: string[]
}

/** The settings key the sealed records manifest is stored under. */
export const RECORDS_MANIFEST_SETTING = 'recordsManifest'

const STORES = ['records', 'attachments', 'attachmentChunks'] as const
type WriteTransaction = IDBPTransaction<CareKeyDB, ['records', 'attachments', 'attachmentChunks', 'settings'], 'readwrite'>

/** How often a write starts again because another tab changed the records in between. */
const MAX_WRITE_ATTEMPTS = 5

/** Writes kept meeting changes made at the same time in another tab. */
export class RecordsBusyError extends CareKeyError {
  constructor() {
    super('Your records were being changed in another CareKey tab at the same time, so this change was not saved.', 'Close the other tab, or wait a moment, and try again.')
  }
}

/**
 * Every stored record row, checked, and the records manifest opened with its key, read in one
 * transaction; rows that fail the check are counted, not returned, so one damaged row never
 * hides the others. Whether each row is the copy the manifest expects is for the caller to
 * check (`rollbackProblem`), after it has opened the row.
 *
 * @example
 * const { rows, damaged, manifest } = await readAllRecordRows(keys.manifest)
 */
export async function readAllRecordRows(manifestKey: CryptoKey): Promise<{ rows: EncryptedRecord[]; damaged: number; manifest: ManifestState }> {
  const db = await openCareKeyDb()
  const [raw, stored] = await storageCall(async () => {
    const tx = db.transaction(['records', 'settings'])
    const [records, manifest] = await Promise.all([tx.objectStore('records').getAll(), tx.objectStore('settings').get(RECORDS_MANIFEST_SETTING), tx.done])
    const values: unknown[] = records
    return [values, manifest] as const
  })
  const rows: EncryptedRecord[] = []
  let damaged = 0
  for (const value of raw) {
    try {
      rows.push(parseStoredRecord(value))
    } catch {
      damaged++
    }
  }
  return { rows, damaged, manifest: await manifestState(stored, manifestKey) }
}

async function manifestState(stored: unknown, manifestKey: CryptoKey): Promise<ManifestState> {
  if (stored === undefined) return { kind: 'missing' }
  try {
    return { kind: 'found', manifest: await openRecordsManifest(stored, manifestKey) }
  } catch (error) {
    if (error instanceof RecordsManifestDamagedError) return { kind: 'damaged' }
    throw error
  }
}

/** One record row, checked (RecordDamagedError if damaged); undefined when there is none. */
export async function readRecordRow(id: string): Promise<EncryptedRecord | undefined> {
  const db = await openCareKeyDb()
  const raw: unknown = await storageCall(() => db.get('records', id))
  return raw === undefined ? undefined : parseStoredRecord(raw)
}

/** An attachment with all its chunks, checked; undefined when there is none. */
export async function readAttachment(id: string): Promise<StoredAttachment | undefined> {
  const db = await openCareKeyDb()
  return storageCall(async () => {
    const tx = db.transaction(['attachments', 'attachmentChunks'])
    const [meta, chunks] = await Promise.all([
      tx.objectStore('attachments').get(id),
      tx.objectStore('attachmentChunks').getAll(chunkRange(id)),
      tx.done,
    ])
    const raw: unknown = meta
    if (raw === undefined) return undefined
    const rawChunks: unknown[] = chunks
    return { attachment: parseStoredAttachment(raw), chunks: rawChunks.map(parseStoredChunk) }
  })
}

/**
 * Every stored record and attachment, read in one transaction with the records manifest (for a
 * backup). Rows that cannot be parsed, and rows that are not the copy the manifest lists (an
 * older copy put back: see domain/records/manifest.ts), are left out, so a backup never carries
 * what the wallet does not show.
 *
 * @example
 * const { records, attachments } = await readEverything(keys.manifest)
 */
export async function readEverything(manifestKey: CryptoKey): Promise<{ records: EncryptedRecord[]; attachments: StoredAttachment[] }> {
  const db = await openCareKeyDb()
  const { records, attachments, manifest } = await storageCall(async () => {
    const tx = db.transaction([...STORES, 'settings'])
    const [records, attachments, chunks, stored] = await Promise.all([
      tx.objectStore('records').getAll(),
      tx.objectStore('attachments').getAll(),
      tx.objectStore('attachmentChunks').getAll(),
      tx.objectStore('settings').get(RECORDS_MANIFEST_SETTING),
      tx.done,
    ])
    const rawRecords: unknown[] = records
    const rawAttachments: unknown[] = attachments
    const rawChunks: unknown[] = chunks
    // A damaged row cannot be decrypted anywhere, so it is left out rather than failing the backup.
    const parsedChunks = new Map<string, EncryptedChunk[]>()
    for (const chunk of keepReadable(rawChunks, parseStoredChunk)) {
      parsedChunks.set(chunk.attachmentId, [...(parsedChunks.get(chunk.attachmentId) ?? []), chunk])
    }
    return {
      records: keepReadable(rawRecords, parseStoredRecord),
      attachments: keepReadable(rawAttachments, parseStoredAttachment)
        .map((attachment) => ({ attachment, chunks: parsedChunks.get(attachment.id) ?? [] }))
        .filter(({ attachment, chunks }) => chunks.length === attachment.chunkCount),
      manifest: stored,
    }
  })
  const state = await manifestState(manifest, manifestKey)
  return { records: records.filter((row) => rollbackProblem(row, state) === undefined), attachments }
}

/**
 * Applies a change in one transaction, with the manifest that lists it: either all of it is
 * stored or none of it.
 *
 * @example
 * await writeRecordsChange({ putRecords: [row] }, keys.manifest)
 */
export async function writeRecordsChange(change: RecordsChange, manifestKey: CryptoKey): Promise<void> {
  await writeWithManifest(
    manifestKey,
    (manifest) => changeRecordsManifest(manifest, { put: change.putRecords, remove: change.deleteRecordIds }),
    () => Promise.resolve(true),
    (tx, requests) => {
      const records = tx.objectStore('records')
      const attachments = tx.objectStore('attachments')
      const chunks = tx.objectStore('attachmentChunks')
      for (const id of change.deleteRecordIds ?? []) requests.push(records.delete(id))
      for (const id of change.deleteAttachmentIds ?? []) {
        requests.push(attachments.delete(id), chunks.delete(chunkRange(id)))
      }
      for (const row of change.putRecords ?? []) requests.push(records.put(row))
      for (const { attachment, chunks: parts } of change.putAttachments ?? []) {
        requests.push(attachments.put(attachment))
        for (const part of parts) requests.push(chunks.put(part))
      }
    },
  )
  await noteLocalChange()
}

/**
 * Replaces record rows by their re-sealed rows (records.ts, `resealRecord`: format 1 rows in
 * format 2, summaries of an older revision computed again) and lists them in the manifest, in
 * one transaction, and only if every old row is still exactly as it was read: a row another tab
 * changed in between is never overwritten. Returns false, changing nothing, when one was changed.
 *
 * @example
 * await replaceRecordRows([{ stored: row, resealed: await resealRecord(row, keys.records) }], keys.manifest)
 */
export async function replaceRecordRows(
  pairs: readonly { stored: EncryptedRecord; resealed: VersionedEncryptedRecord }[],
  manifestKey: CryptoKey,
): Promise<boolean> {
  if (pairs.length === 0) return true
  return writeWithManifest(
    manifestKey,
    (manifest) => changeRecordsManifest(manifest, { put: pairs.map((p) => p.resealed) }),
    async (tx) => {
      const records = tx.objectStore('records')
      const now: unknown[] = await Promise.all(pairs.map((p) => records.get(p.stored.id)))
      return pairs.every((p, i) => sameRecordRow(now[i], p.stored))
    },
    (tx, requests) => {
      for (const { resealed } of pairs) requests.push(tx.objectStore('records').put(resealed))
    },
  )
}

function sameRecordRow(value: unknown, expected: EncryptedRecord): boolean {
  let row: EncryptedRecord
  try {
    row = parseStoredRecord(value)
  } catch {
    return false
  }
  return (
    row.format === expected.format &&
    recordVersion(row) === recordVersion(expected) &&
    row.createdAt === expected.createdAt &&
    row.updatedAt === expected.updatedAt &&
    bytesEqual(row.wrappedKey, expected.wrappedKey) &&
    bytesEqual(row.summary.iv, expected.summary.iv) &&
    bytesEqual(row.summary.ciphertext, expected.summary.ciphertext) &&
    bytesEqual(row.resource.iv, expected.resource.iv) &&
    bytesEqual(row.resource.ciphertext, expected.resource.ciphertext)
  )
}

/**
 * Runs one change of the records together with the manifest: reads the manifest, computes and
 * seals the next one (outside the transaction), then in one transaction checks that no other
 * tab wrote the manifest since (its generation) and that `precondition` holds, and writes both.
 * Another tab's write in between starts it again with the newer manifest. A manifest that is
 * missing or damaged is rebuilt from every record row stored now (`manifestOfStoredRows`), read
 * in one transaction with the manifest, and the change goes on top: no stored record becomes
 * unlisted, and so hidden.
 */
async function writeWithManifest(
  manifestKey: CryptoKey,
  next: (manifest: RecordsManifest) => RecordsManifest,
  precondition: (tx: WriteTransaction) => Promise<boolean>,
  makeRequests: (tx: WriteTransaction, requests: Promise<unknown>[]) => void,
): Promise<boolean> {
  const db = await openCareKeyDb()
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const stored: unknown = await storageCall(() => db.get('settings', RECORDS_MANIFEST_SETTING))
    const expected = manifestGeneration(stored)
    const state = await manifestState(stored, manifestKey)
    const current = state.kind === 'found' ? state.manifest : await manifestOfRowsStoredNow(db, expected)
    // Another tab wrote the manifest while the rows were read: start again with it.
    if (current === undefined) continue
    const sealed = await sealRecordsManifest(next(current), manifestKey)
    const outcome = await storageCall(async () => {
      const tx = db.transaction([...STORES, 'settings'], 'readwrite')
      const settings = tx.objectStore('settings')
      const [now, holds] = await Promise.all([settings.get(RECORDS_MANIFEST_SETTING), precondition(tx)])
      if (manifestGeneration(now) !== expected) {
        await abortTransaction(tx)
        return 'again'
      }
      if (!holds) {
        await abortTransaction(tx)
        return 'refused'
      }
      await writeAllOrNothing(tx, (requests) => {
        makeRequests(tx, requests)
        requests.push(settings.put(sealed, RECORDS_MANIFEST_SETTING))
      })
      return 'written'
    })
    if (outcome !== 'again') return outcome === 'written'
  }
  throw new RecordsBusyError()
}

/** The manifest rebuilt from the rows stored now; undefined when the manifest is no longer the one found (generation `expected`). */
async function manifestOfRowsStoredNow(db: IDBPDatabase<CareKeyDB>, expected: number | undefined): Promise<RecordsManifest | undefined> {
  const [raw, stored] = await storageCall(async () => {
    const tx = db.transaction(['records', 'settings'])
    const [records, manifest] = await Promise.all([tx.objectStore('records').getAll(), tx.objectStore('settings').get(RECORDS_MANIFEST_SETTING), tx.done])
    const values: unknown[] = records
    return [values, manifest] as const
  })
  if (manifestGeneration(stored) !== expected) return undefined
  return manifestOfStoredRows(keepReadable(raw, parseStoredRecord), expected ?? 0)
}

/**
 * Replaces a format 1 attachment by its re-sealed format 2 copy (attachments.ts,
 * `upgradeLegacyAttachment`) in one transaction, only if the old one is still there as it was
 * read. Returns false, changing nothing, otherwise.
 *
 * @example
 * await replaceLegacyAttachment(stored.attachment, await upgradeLegacyAttachment(stored.attachment, stored.chunks, keys.records))
 */
export async function replaceLegacyAttachment(
  legacy: LegacyEncryptedAttachment,
  upgraded: { attachment: PaddedEncryptedAttachment; chunks: EncryptedChunk[] },
): Promise<boolean> {
  if (upgraded.attachment.id !== legacy.id) throw new RangeError('an attachment can only be replaced by its own upgrade')
  const db = await openCareKeyDb()
  return storageCall(async () => {
    const tx = db.transaction(['attachments', 'attachmentChunks'], 'readwrite')
    const attachments = tx.objectStore('attachments')
    const chunks = tx.objectStore('attachmentChunks')
    if (!sameAttachmentRow(await attachments.get(legacy.id), legacy)) {
      await abortTransaction(tx)
      return false
    }
    await writeAllOrNothing(tx, (requests) => {
      requests.push(chunks.delete(chunkRange(legacy.id)), attachments.put(upgraded.attachment))
      for (const part of upgraded.chunks) requests.push(chunks.put(part))
    })
    return true
  })
}

function sameAttachmentRow(value: unknown, expected: EncryptedAttachment): boolean {
  try {
    const row = parseStoredAttachment(value)
    return row.format === expected.format && bytesEqual(row.wrappedKey, expected.wrappedKey)
  } catch {
    return false
  }
}

/** Every stored attachment row (without the chunks), checked; those that fail are left out. */
export async function readAttachmentRows(): Promise<EncryptedAttachment[]> {
  const db = await openCareKeyDb()
  const raw: unknown[] = await storageCall(() => db.getAll('attachments'))
  return keepReadable(raw, parseStoredAttachment)
}

/** The ids of every stored attachment (to find ones no record refers to any more). */
export async function readAttachmentIds(): Promise<string[]> {
  const db = await openCareKeyDb()
  return storageCall(() => db.getAllKeys('attachments'))
}

function keepReadable<T>(values: unknown[], parse: (value: unknown) => T): T[] {
  const out: T[] = []
  for (const value of values) {
    try {
      out.push(parse(value))
    } catch {
      // Counted where it matters (readAllRecordRows); unreadable rows are never shown or copied.
    }
  }
  return out
}

function chunkRange(attachmentId: string): IDBKeyRange {
  return IDBKeyRange.bound([attachmentId, 0], [attachmentId, Number.MAX_SAFE_INTEGER])
}

/**
 * How much this origin stores and may store, as the browser estimates it. (Whether the browser
 * keeps the data is src/platform/persistentStorage.ts's to ask.)
 */
export type StorageUsage = { usage: number; quota: number }

/** The browser's storage estimate for CareKey; undefined where the browser has no such API. */
export async function estimateStorageUsage(): Promise<StorageUsage | undefined> {
  if (typeof navigator === 'undefined' || !navigator.storage?.estimate) return undefined
  const estimate = await navigator.storage.estimate()
  return { usage: estimate.usage ?? 0, quota: estimate.quota ?? 0 }
}
