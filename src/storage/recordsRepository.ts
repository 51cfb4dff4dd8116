import { parseStoredAttachment, parseStoredChunk, type EncryptedAttachment, type EncryptedChunk } from '../domain/records/attachments.ts'
import { parseStoredRecord, recordRowSchema, type EncryptedRecord } from '../domain/records/records.ts'
import { openCareKeyDb } from './db.ts'
import { storageCall } from './errors.ts'
import { writeAllOrNothing } from './transactions.ts'

/**
 * Encrypted records and attachments in IndexedDB. Everything here is ciphertext plus random
 * ids, sizes and timestamps; encryption happens before a transaction opens (WebCrypto calls
 * inside one would let it commit early). Every change is one transaction: all or nothing.
 */

export type StoredAttachment = { attachment: EncryptedAttachment; chunks: EncryptedChunk[] }

/** One all-or-nothing change to the records store. */
export type RecordsChange = {
  putRecords?: EncryptedRecord[]
  putAttachments?: StoredAttachment[]
  deleteRecordIds?: string[]
  deleteAttachmentIds?: string[]
}

const STORES = ['records', 'attachments', 'attachmentChunks'] as const

/**
 * Every stored record row, checked; rows that fail the check are counted, not returned, so one
 * damaged row never hides the others.
 */
export async function readAllRecordRows(): Promise<{ rows: EncryptedRecord[]; damaged: number }> {
  const db = await openCareKeyDb()
  const raw: unknown[] = await storageCall(() => db.getAll('records'))
  const rows: EncryptedRecord[] = []
  let damaged = 0
  for (const value of raw) {
    const row = recordRowSchema.safeParse(value)
    if (row.success) rows.push(row.data)
    else damaged++
  }
  return { rows, damaged }
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

/** Every stored record and attachment, read in one transaction (for a backup). */
export async function readEverything(): Promise<{ records: EncryptedRecord[]; attachments: StoredAttachment[] }> {
  const db = await openCareKeyDb()
  return storageCall(async () => {
    const tx = db.transaction([...STORES])
    const [records, attachments, chunks] = await Promise.all([
      tx.objectStore('records').getAll(),
      tx.objectStore('attachments').getAll(),
      tx.objectStore('attachmentChunks').getAll(),
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
    }
  })
}

/** Applies a change in one transaction: either all of it is stored or none of it. */
export async function writeRecordsChange(change: RecordsChange): Promise<void> {
  const db = await openCareKeyDb()
  await storageCall(async () => {
    const tx = db.transaction([...STORES], 'readwrite')
    const records = tx.objectStore('records')
    const attachments = tx.objectStore('attachments')
    const chunks = tx.objectStore('attachmentChunks')
    await writeAllOrNothing(tx, (requests) => {
      for (const id of change.deleteRecordIds ?? []) requests.push(records.delete(id))
      for (const id of change.deleteAttachmentIds ?? []) {
        requests.push(attachments.delete(id), chunks.delete(chunkRange(id)))
      }
      for (const row of change.putRecords ?? []) requests.push(records.put(row))
      for (const { attachment, chunks: parts } of change.putAttachments ?? []) {
        requests.push(attachments.put(attachment))
        for (const part of parts) requests.push(chunks.put(part))
      }
    })
  })
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

/** How much this origin stores and may store, as the browser estimates it. */
export type StorageUsage = { usage: number; quota: number; persisted: boolean | undefined }

/** The browser's storage estimate for CareKey; undefined where the browser has no such API. */
export async function estimateStorageUsage(): Promise<StorageUsage | undefined> {
  if (typeof navigator === 'undefined' || !navigator.storage?.estimate) return undefined
  const [estimate, persisted] = await Promise.all([
    navigator.storage.estimate(),
    navigator.storage.persisted ? navigator.storage.persisted() : Promise.resolve(undefined),
  ])
  return { usage: estimate.usage ?? 0, quota: estimate.quota ?? 0, persisted }
}

/**
 * Asks the browser to keep CareKey's data even when space runs low (Safari otherwise clears a
 * site's storage after 7 days without use). Resolves to whether storage is now persistent.
 */
export async function requestPersistentStorage(): Promise<boolean> {
  if (typeof navigator === 'undefined' || !navigator.storage?.persist) return false
  if (navigator.storage.persisted && (await navigator.storage.persisted())) return true
  return navigator.storage.persist()
}
