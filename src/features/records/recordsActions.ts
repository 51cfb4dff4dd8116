import type { DocumentReference, Resource } from '@medplum/fhirtypes'
import { CareKeyError } from '../../domain/errors.ts'
import type { RecordCategory } from '../../domain/fhir/categories.ts'
import { FileTooLargeError } from '../../domain/fhir/errors.ts'
import { parseFhirImport, type ImportRejection, type ParsedImport } from '../../domain/fhir/parse.ts'
import { checkAttachment, decryptAttachment, encryptAttachment, LEGACY_ATTACHMENT_FORMAT, upgradeLegacyAttachment } from '../../domain/records/attachments.ts'
import { BACKUP_FILE_EXTENSION, BackupDamagedError, MAX_BACKUP_BYTES, openBackup, sealBackup } from '../../domain/records/backup.ts'
import { attachmentUrl, collectionBundle, inlineStoredAttachments } from '../../domain/records/fhirBundle.ts'
import { deriveRecordsKeys, type RecordsKeys } from '../../domain/records/keys.ts'
import {
  decryptResource,
  encryptRecord,
  LEGACY_RECORD_FORMAT,
  openSummary,
  RecordDamagedError,
  recordVersion,
  resealRecord,
  summarizeResource,
  type EncryptedRecord,
  type OpenedSummary,
  type VersionedEncryptedRecord,
} from '../../domain/records/records.ts'
import type { RecordOrigin, RecordSummary } from '../../domain/records/summary.ts'
import { changeRecordsIndex, findDuplicate, type RecordsIndex } from '../../domain/records/search.ts'
import type { WalletKeys } from '../../domain/wallet/keys.ts'
import { readConsentRowsForBackup, restoreConsentRowsFromBackup } from '../../storage/consentsBackup.ts'
import {
  estimateStorageUsage,
  readAttachment,
  readEverything,
  readRecordRow,
  writeRecordsChange,
  type StorageUsage,
  type StoredAttachment,
} from '../../storage/recordsRepository.ts'
import { requestPersistence } from '../../platform/persistentStorage.ts'
import { recordsSession, type RecordsSession } from './session.ts'
import { loadRecordsIndex } from './sessionLoaders.ts'

/** The largest FHIR file CareKey reads in one go. */
export const MAX_IMPORT_BYTES = 100 * 1000 * 1000

export class RecordNotFoundError extends CareKeyError {
  constructor() {
    super('This record is not in your wallet (any more).', 'It may have been deleted. Go back to your records.')
  }
}

/** What an import did, for the summary the patient sees. */
export type ImportSummary = {
  source: ParsedImport['source']
  imported: number
  duplicates: number
  rejected: ImportRejection[]
}

/**
 * Imports a FHIR R4 file's text: parses it, skips what is already in the wallet, encrypts each
 * new record under its own key and stores them all in one transaction, so a failure (storage
 * full, a tab closed) leaves the store as it was.
 */
export async function importRecords(text: string, origin: RecordOrigin = 'imported', session: RecordsSession = recordsSession): Promise<ImportSummary> {
  const phase = phases('carekey.records.import')
  const parsed = parseFhirImport(text)
  phase('parse')
  const summaries = await Promise.all(parsed.items.map((item) => summarizeResource(item.resource, origin, [], { fullUrl: item.fullUrl })))
  phase('summarize')
  return session.write(async (index, keys) => {
    const seen = new Map(index.byDuplicateKey)
    const now = Date.now()
    const fresh: { summary: RecordSummary; resource: Resource }[] = []
    let duplicates = 0
    parsed.items.forEach((item, i) => {
      const base = summaries[i]
      if (!base) return
      if (base.duplicateKeys.some((k) => seen.has(k))) {
        duplicates++
        return
      }
      const summary: RecordSummary = { ...base, id: crypto.randomUUID(), version: 1, createdAt: now, updatedAt: now }
      for (const key of summary.duplicateKeys) seen.set(key, summary.id)
      fresh.push({ summary, resource: item.resource })
    })
    const rows = await Promise.all(fresh.map((record) => encryptRecord(record, keys.records)))
    phase('encrypt')
    if (rows.length) await writeRecordsChange({ putRecords: rows }, keys.manifest)
    phase('write')
    void keepStoragePersistent()
    const next = changeRecordsIndex(index, { upsert: fresh.map((r) => r.summary) })
    phase('index')
    return { result: { source: parsed.source, imported: rows.length, duplicates, rejected: parsed.rejected }, index: next }
  })
}

/**
 * Marks the phases of a long operation in the browser's performance timeline ("name.phase"
 * measures), where developer tools and the benchmarks can read them.
 */
function phases(name: string): (phase: string) => void {
  let last = performance.now()
  return (phase) => {
    const now = performance.now()
    performance.measure(`${name}.${phase}`, { start: last, end: now })
    last = now
  }
}

/** Reads a chosen file's text after checking its size. */
export async function readImportFile(file: Blob): Promise<string> {
  if (file.size > MAX_IMPORT_BYTES) throw new FileTooLargeError('FHIR file', file.size, MAX_IMPORT_BYTES)
  return file.text()
}

/** Imports the synthetic sample patient shipped with CareKey (loaded only when asked for). */
export async function loadSamplePatient(session: RecordsSession = recordsSession): Promise<ImportSummary> {
  const { default: text } = await import('../../../sample-data/sample-patient.json?raw')
  return importRecords(text, 'sample', session)
}

/** One record, decrypted. */
export async function readRecord(id: string, session: RecordsSession = recordsSession): Promise<{ summary: RecordSummary; resource: Resource }> {
  const [index, keys] = await Promise.all([session.index(), session.recordsKeys()])
  const summary = index.byId.get(id)
  const row = summary && (await readRecordRow(id))
  if (!summary || !row) throw new RecordNotFoundError()
  return { summary, resource: await decryptResource(notOlderThan(row, summary), keys.records) }
}

/**
 * The row, unless it is older than the version this unlock already read (put back since the
 * index was built; an older copy found at unlock is not in the index at all).
 */
function notOlderThan(row: EncryptedRecord, summary: RecordSummary): EncryptedRecord {
  if (recordVersion(row) < summary.version) throw new RecordDamagedError('it is an older copy than the one last saved')
  return row
}

/**
 * Adds a record entered by hand, or replaces one after an edit (keeping its id, its files and
 * when it was first added).
 */
export async function saveRecord(resource: Resource, id: string | undefined, session: RecordsSession = recordsSession): Promise<RecordSummary> {
  return session.write(async (index, keys) => {
    const existing = id === undefined ? undefined : index.byId.get(id)
    if (id !== undefined && !existing) throw new RecordNotFoundError()
    const now = Date.now()
    const base = await summarizeResource(resource, existing?.origin ?? 'entered', existing?.attachmentIds ?? [], { aliases: existing?.aliases })
    const summary: RecordSummary = {
      ...base,
      id: existing?.id ?? crypto.randomUUID(),
      version: existing ? existing.version + 1 : 1,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    }
    await writeRecordsChange({ putRecords: [await encryptRecord({ summary, resource }, keys.records)] }, keys.manifest)
    void keepStoragePersistent()
    return { result: summary, index: changeRecordsIndex(index, { upsert: [summary] }) }
  })
}

/**
 * Attaches a file (PDF or image) as a new document record: the file is encrypted in chunks
 * under its own key and stored with its DocumentReference in one transaction.
 */
export async function addDocument(file: File, title: string, session: RecordsSession = recordsSession): Promise<RecordSummary> {
  const bytes = new Uint8Array(await file.arrayBuffer())
  const contentType = checkAttachment(file.name, file.type, bytes)
  return session.write(async (index, keys) => {
    const attachmentId = crypto.randomUUID()
    const now = Date.now()
    const performance = globalThis.performance
    const started = performance.now()
    const stored = await encryptAttachment(attachmentId, bytes, keys.records, now)
    // Seen in the browser's performance timeline and read by the benchmarks.
    performance.measure('carekey.attachment.encrypt', { start: started, end: performance.now(), detail: { bytes: bytes.length } })
    const resource: DocumentReference = {
      resourceType: 'DocumentReference',
      status: 'current',
      description: title.trim() || file.name,
      date: new Date(now).toISOString(),
      subject: { display: 'The patient' },
      content: [{ attachment: { contentType, title: file.name, size: bytes.length, url: attachmentUrl(attachmentId), creation: new Date(now).toISOString() } }],
    }
    const base = await summarizeResource(resource, 'uploaded', [attachmentId])
    const summary: RecordSummary = { ...base, id: crypto.randomUUID(), version: 1, createdAt: now, updatedAt: now }
    await writeRecordsChange({ putRecords: [await encryptRecord({ summary, resource }, keys.records)], putAttachments: [stored] }, keys.manifest)
    void keepStoragePersistent()
    return { result: summary, index: changeRecordsIndex(index, { upsert: [summary] }) }
  })
}

/** A stored file, decrypted, as a Blob of its content type. */
export async function readAttachmentFile(attachmentId: string, contentType: string, session: RecordsSession = recordsSession): Promise<Blob> {
  const keys = await session.recordsKeys()
  const stored = await readAttachment(attachmentId)
  if (!stored) throw new RecordDamagedError('one of its files is missing')
  return new Blob([await decryptAttachment(stored.attachment, stored.chunks, keys.records)], { type: contentType })
}

/** Deletes a record and its files; keeps them (encrypted) in memory so that the patient can undo. */
export async function deleteRecord(id: string, session: RecordsSession = recordsSession): Promise<void> {
  await session.write(async (index, keys) => {
    const summary = index.byId.get(id)
    const row = await readRecordRow(id)
    if (!summary || !row) throw new RecordNotFoundError()
    const attachments = (await Promise.all(summary.attachmentIds.map((a) => readAttachment(a)))).filter((a): a is StoredAttachment => a !== undefined)
    await writeRecordsChange({ deleteRecordIds: [id], deleteAttachmentIds: summary.attachmentIds }, keys.manifest)
    session.setDeletion({ summary, row, attachments })
    return { result: undefined, index: changeRecordsIndex(index, { remove: [id] }) }
  })
}

/** Puts the last deleted record back exactly as it was. */
export async function undoDelete(session: RecordsSession = recordsSession): Promise<RecordSummary | undefined> {
  const deletion = session.getDeletion()
  if (!deletion) return undefined
  return session.write(async (index, keys) => {
    // A row deleted before it was re-sealed in today's format is re-sealed now: writes are in today's format only.
    const row = deletion.row.format === LEGACY_RECORD_FORMAT ? await resealRecord(deletion.row, keys.records) : deletion.row
    await writeRecordsChange({ putRecords: [row], putAttachments: deletion.attachments }, keys.manifest)
    session.setDeletion(undefined)
    return { result: deletion.summary, index: changeRecordsIndex(index, { upsert: [deletion.summary] }) }
  })
}

/** A sealed backup, as built for a file or for the share host. */
export type BuiltBackup = {
  /** The `.carekey` file's bytes: every record, file, consent and share, sealed under the wallet's backup key. */
  bytes: Uint8Array<ArrayBuffer>
  /** How many records it holds. */
  records: number
  /** When it was made (unix milliseconds), as written inside it. */
  createdAt: number
}

/**
 * The sealed backup of everything the wallet stores (records and their files as they are at rest,
 * consents and shares as sealed rows), one layer more of encryption under the wallet's backup key:
 * the same bytes for an exported file and for the online backup.
 */
export async function buildBackupBytes(session: RecordsSession = recordsSession, now: number = Date.now()): Promise<BuiltBackup> {
  const keys = await session.recordsKeys()
  const { records, attachments } = await readEverything(keys.manifest)
  const sealedRows = await readConsentRowsForBackup()
  const bytes = await sealBackup({ createdAt: now, records, attachments, sealedRows }, keys.backup)
  return { bytes, records: records.length, createdAt: now }
}

/** An encrypted backup of every record and file, as a file to download. */
export async function exportBackup(session: RecordsSession = recordsSession, now = new Date()): Promise<{ file: Blob; fileName: string; records: number }> {
  const { bytes, records } = await buildBackupBytes(session, now.getTime())
  return {
    file: new Blob([bytes], { type: 'application/octet-stream' }),
    fileName: `carekey-backup-${now.toISOString().slice(0, 10)}${BACKUP_FILE_EXTENSION}`,
    records,
  }
}

/** What a backup holds, told before it is restored. */
export type BackupSummary = { createdAt: number; records: number; consents: number }

/**
 * Opens a backup with this wallet's backup key and says when it was made and how much it holds,
 * writing nothing. Throws like restoreBackup (another wallet's, damaged, cut short…).
 */
export async function readBackupSummary(bytes: Uint8Array, session: RecordsSession = recordsSession): Promise<BackupSummary> {
  if (bytes.length > MAX_BACKUP_BYTES) throw new FileTooLargeError('backup', bytes.length, MAX_BACKUP_BYTES)
  const keys = await session.recordsKeys()
  const backup = await openBackup(bytes, keys.backup)
  return { createdAt: backup.createdAt, records: backup.records.length, consents: backup.sealedRows?.consents?.length ?? 0 }
}

export type RestoreSummary = { restored: number; alreadyPresent: number }

/**
 * Restores a backup (a chosen file, or the bytes of an online backup) into the wallet, merging: a
 * record already here (the same record id, or a duplicate by domain/fhir/identity.ts) is skipped,
 * everything else is stored as it was backed up, in one transaction. A backup that is not this
 * wallet's, cut short or changed is refused before anything is written.
 */
export async function restoreBackup(source: Blob | Uint8Array, session: RecordsSession = recordsSession): Promise<RestoreSummary> {
  // ArrayBuffer.isView: bytes from another realm (a test's jsdom) are bytes too.
  const size = ArrayBuffer.isView(source) ? source.byteLength : source.size
  if (size > MAX_BACKUP_BYTES) throw new FileTooLargeError('backup', size, MAX_BACKUP_BYTES)
  const bytes = ArrayBuffer.isView(source) ? source : new Uint8Array(await source.arrayBuffer())
  return session.write(async (index, keys) => {
    const backup = await openBackup(bytes, keys.backup)
    let summaries: OpenedSummary[]
    try {
      summaries = await Promise.all(backup.records.map((row) => openSummary(row, keys.records)))
    } catch (cause) {
      throw new BackupDamagedError('some of its records cannot be opened', { cause })
    }
    const accepted: { row: EncryptedRecord; summary: RecordSummary; current: boolean }[] = []
    let merged: RecordsIndex = index
    let alreadyPresent = 0
    backup.records.forEach((row, i) => {
      const opened = summaries[i]
      if (!opened) return
      const { summary, current } = opened
      if (merged.byId.has(row.id) || findDuplicate(merged, summary.duplicateKeys) !== undefined) {
        alreadyPresent++
        return
      }
      accepted.push({ row, summary, current })
      merged = addToIndexForMerge(merged, summary)
    })
    const wanted = new Set(accepted.flatMap((a) => a.summary.attachmentIds))
    let rows: VersionedEncryptedRecord[]
    let files: StoredAttachment[]
    try {
      // Rows from a backup made before padding, or with summaries of an older revision, are re-sealed in today's format as they come in.
      rows = await Promise.all(
        accepted.map(async ({ row, current }) => {
          if (row.format === LEGACY_RECORD_FORMAT) return resealRecord(row, keys.records)
          // A summary that cannot be computed again (its resource does not open) is restored as it was backed up.
          if (current) return row
          try {
            return await resealRecord(row, keys.records)
          } catch (error) {
            if (error instanceof RecordDamagedError) return row
            throw error
          }
        }),
      )
      files = []
      for (const stored of backup.attachments.filter((a) => wanted.has(a.attachment.id))) {
        const { attachment, chunks } = stored
        files.push(attachment.format === LEGACY_ATTACHMENT_FORMAT ? await upgradeLegacyAttachment(attachment, chunks, keys.records) : stored)
      }
    } catch (cause) {
      if (cause instanceof CareKeyError) throw new BackupDamagedError('some of its records cannot be opened', { cause })
      throw cause
    }
    if (rows.length) await writeRecordsChange({ putRecords: rows, putAttachments: files }, keys.manifest)
    await restoreConsentRowsFromBackup(backup.sealedRows ?? {})
    void keepStoragePersistent()
    return {
      result: { restored: accepted.length, alreadyPresent },
      index: changeRecordsIndex(index, { upsert: accepted.map((a) => a.summary) }),
    }
  })
}

/** Adds one summary to the duplicate lookup while merging (cheaper than rebuilding per record). */
function addToIndexForMerge(index: RecordsIndex, summary: RecordSummary): RecordsIndex {
  const byId = new Map(index.byId).set(summary.id, summary)
  const byDuplicateKey = new Map(index.byDuplicateKey)
  for (const key of summary.duplicateKeys) if (!byDuplicateKey.has(key)) byDuplicateKey.set(key, summary.id)
  return { ...index, byId, byDuplicateKey }
}

/** Which records to share: whole categories, hand-picked records, or both (their union). */
export type RecordSelection = { categories?: readonly RecordCategory[]; recordIds?: readonly string[] }

/**
 * The FHIR R4 resources of the selected records, decrypted, with their stored files inline.
 * Works with any unlocked keys (the current session's index is used when the keys are its own).
 */
export async function selectRecordsForSharing(
  keys: WalletKeys,
  selection: RecordSelection,
  options: { inlineAttachments?: boolean } = {},
  session: RecordsSession = recordsSession,
): Promise<Resource[]> {
  const { index, recordsKeys } = await indexFor(keys, session)
  const categories = new Set(selection.categories ?? [])
  const ids = new Set(selection.recordIds ?? [])
  const chosen = index.records.filter((r) => categories.has(r.category) || ids.has(r.id))
  return Promise.all(
    chosen.map(async (summary) => {
      const row = await readRecordRow(summary.id)
      if (!row) throw new RecordNotFoundError()
      const resource = await decryptResource(notOlderThan(row, summary), recordsKeys.records)
      if (options.inlineAttachments === false) return resource
      return inlineStoredAttachments(resource, summary.attachmentIds, async (attachmentId) => {
        const stored = await readAttachment(attachmentId)
        if (!stored) throw new RecordDamagedError('one of its files is missing')
        return decryptAttachment(stored.attachment, stored.chunks, recordsKeys.records)
      })
    }),
  )
}

async function indexFor(keys: WalletKeys, session: RecordsSession): Promise<{ index: RecordsIndex; recordsKeys: RecordsKeys }> {
  if (session.isFor(keys)) return { index: await session.index(), recordsKeys: await session.recordsKeys() }
  const recordsKeys = await deriveRecordsKeys(keys.root)
  return { index: (await loadRecordsIndex(recordsKeys)).index, recordsKeys }
}

/** Every record as one FHIR R4 collection Bundle (plain JSON: the patient's own export). */
export async function exportFhirBundle(session: RecordsSession = recordsSession, now = new Date()): Promise<{ file: Blob; fileName: string }> {
  const keys = session.walletKeys()
  const all = await session.index()
  const resources = await selectRecordsForSharing(keys, { recordIds: all.records.map((r) => r.id) }, {}, session)
  const bundle = collectionBundle(resources, now.toISOString())
  return {
    file: new Blob([JSON.stringify(bundle, null, 2)], { type: 'application/fhir+json' }),
    fileName: `carekey-records-${now.toISOString().slice(0, 10)}.json`,
  }
}

/** How much CareKey stores on this device. */
export const readStorageUsage = (): Promise<StorageUsage | undefined> => estimateStorageUsage()

let persistenceAsked = false
/** Asks once per session for persistent storage, after the first record is stored. */
async function keepStoragePersistent(): Promise<void> {
  if (persistenceAsked) return
  persistenceAsked = true
  // A browser that cannot answer now is asked again from the Backup screen, which shows its state.
  await requestPersistence().catch(() => 'not-granted')
}

