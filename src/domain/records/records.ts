import type { Resource } from '@medplum/fhirtypes'
import { z } from 'zod'
import { CareKeyError } from '../errors.ts'
import { bytesEqual, bytesSchema, utf8 } from '../crypto/bytes.ts'
import { createDataKey, open, sealedSchema, unwrapDataKey, wrapDataKey, WRAPPED_KEY_BYTES, type Sealed } from '../crypto/envelope.ts'
import { openPadded, sealPadded } from '../crypto/padding.ts'
import { categoryLabel, categoryOf } from '../fhir/categories.ts'
import { describeResource } from '../fhir/describe.ts'
import { fhirDateSortKey } from '../fhir/display.ts'
import { duplicateKeys } from '../fhir/identity.ts'
import { recordCodings } from '../fhir/codes.ts'
import { referenceAliases } from '../fhir/references.ts'
import { checkR4Resource } from '../fhir/validate.ts'
import { searchable } from './search.ts'
import { storedSummarySchema, SUMMARY_REVISION, type RecordOrigin, type RecordSummary, type StoredSummary } from './summary.ts'

/**
 * A health record at rest: one FHIR R4 resource and its summary (what the timeline, filters,
 * search and duplicate detection need), each AES-256-GCM encrypted under the record's own data
 * key, which is stored wrapped by the wallet's records key. In the clear there is only a random
 * id, the record's version and the storage timestamps.
 *
 * Format 2, written today: both plaintexts are padded to size buckets (domain/crypto/padding.ts)
 * and the associated data of both ciphertexts binds the id, the version, `createdAt` and
 * `updatedAt`. Changing any of them on disk, or putting an older ciphertext under newer
 * metadata, makes the record fail its integrity check (RecordDamagedError). The sealed summary
 * holds the version and timestamps as well, checked against the row. Putting back an older
 * *whole* row is what the records manifest catches (manifest.ts); these bindings alone cannot.
 */
export type VersionedEncryptedRecord = {
  format: typeof RECORD_FORMAT
  /** Random (UUID v4); says nothing about the record. */
  id: string
  /** See RecordSummary.version. */
  version: number
  wrappedKey: Uint8Array
  summary: Sealed
  resource: Sealed
  createdAt: number
  updatedAt: number
}

/**
 * Format 1, written before versions were kept: unpadded, the associated data binds the id only.
 * Still read; re-sealed as format 2 (version 0) at unlock, see `resealRecord`.
 */
export type LegacyEncryptedRecord = Omit<VersionedEncryptedRecord, 'format' | 'version'> & { format: typeof LEGACY_RECORD_FORMAT }

/** A record row as storage or a backup file holds it, in either format. */
export type EncryptedRecord = VersionedEncryptedRecord | LegacyEncryptedRecord

export const RECORD_FORMAT = 2
export const LEGACY_RECORD_FORMAT = 1

/** A record that could not be read: damaged on disk, written by another wallet, or an older copy. */
export class RecordDamagedError extends CareKeyError {
  constructor(detail: string, options?: ErrorOptions) {
    super(
      `A stored record could not be read (${detail}).`,
      'Your other records are unaffected. If you have a backup, restoring it brings the record back.',
      options,
    )
  }
}

/**
 * A row's version: its own in format 2, 0 for a format 1 row (stored before versions were kept).
 *
 * @example
 * if (recordVersion(row) < summary.version) throw new RecordDamagedError('it is an older copy')
 */
export function recordVersion(row: EncryptedRecord): number {
  return row.format === RECORD_FORMAT ? row.version : 0
}

const MAX_SEARCH_TEXT = 4000

/** What the wallet knows a record by besides its content: the Bundle entry's fullUrl it came with, names it had before. */
export type KnownAs = { fullUrl?: string | undefined; aliases?: readonly string[] | undefined }

/**
 * The summary of a resource (without the id and timestamps, which the store assigns), as
 * summary revision SUMMARY_REVISION computes it.
 *
 * @example
 * const summary = await summarizeResource(observation, 'imported', [], { fullUrl: 'urn:uuid:9a918a7a-41ea-42c0-a0b1-9236e05144b6' })
 * summary.category // 'labs'
 */
export async function summarizeResource(
  resource: Resource,
  origin: RecordOrigin,
  attachmentIds: string[] = [],
  knownAs: KnownAs = {},
): Promise<Omit<RecordSummary, 'id' | 'version' | 'createdAt' | 'updatedAt'>> {
  const description = describeResource(resource)
  const category = categoryOf(resource)
  // The facts hold the record's codes ("LOINC 4548-4"): a search by code finds it, and by the
  // name any of its codings gives (an ICD-10 display beside the SNOMED CT one shown).
  const words = [
    description.title,
    description.detail,
    description.recorder,
    categoryLabel(category),
    ...description.facts.map((f) => f.value),
    ...recordCodings(resource).map((c) => c.display),
    description.text,
  ]
  return {
    resourceType: resource.resourceType,
    category,
    title: description.title,
    date: description.date,
    sortKey: fhirDateSortKey(description.date),
    detail: description.detail,
    recorder: description.recorder,
    searchText: searchable(words.filter(Boolean).join(' \n ')).slice(0, MAX_SEARCH_TEXT),
    duplicateKeys: await duplicateKeys(resource),
    aliases: [...new Set([...referenceAliases(resource, knownAs.fullUrl), ...(knownAs.aliases ?? [])])],
    attachmentIds,
    origin,
  }
}

type RecordPart = 'summary' | 'resource'

/** What a row holds in the clear and its ciphertexts are bound to. */
type BoundMetadata = Pick<LegacyEncryptedRecord, 'format' | 'id'> | Pick<VersionedEncryptedRecord, 'format' | 'id' | 'version' | 'createdAt' | 'updatedAt'>

/** What each ciphertext of a row is bound to; format 2 binds all of its metadata in the clear. */
function associatedData(row: BoundMetadata, part: RecordPart): string {
  if (row.format === LEGACY_RECORD_FORMAT) return `carekey-record:v1:${row.id}:${part}`
  return `carekey-record:v2:${row.id}:${row.version}:${row.createdAt}:${row.updatedAt}:${part}`
}

/** A summary and its resource, ready to be sealed; `version` is 1 for a new record when left out. */
export type RecordToSeal = { summary: Omit<RecordSummary, 'version'> & { version?: number }; resource: Resource }

/**
 * Encrypts a record (format 2) under a fresh data key, wrapped by the records key. The
 * ciphertexts are padded and bound to the record's id, version and timestamps.
 *
 * @example
 * const row = await encryptRecord({ summary: { ...summary, version: previous.version + 1 }, resource }, recordsKey)
 */
export async function encryptRecord(record: RecordToSeal, recordsKey: CryptoKey): Promise<VersionedEncryptedRecord> {
  const { summary, resource } = record
  const meta = { id: summary.id, version: summary.version ?? 1, createdAt: summary.createdAt, updatedAt: summary.updatedAt }
  return sealRecord(meta, storedSummaryBytes({ ...summary, ...meta }), utf8.encode(JSON.stringify(resource)), recordsKey)
}

type RecordMeta = Pick<VersionedEncryptedRecord, 'id' | 'version' | 'createdAt' | 'updatedAt'>

async function sealRecord(meta: RecordMeta, summary: Uint8Array, resource: Uint8Array, recordsKey: CryptoKey): Promise<VersionedEncryptedRecord> {
  if (!Number.isSafeInteger(meta.version) || meta.version < 0) throw new RangeError(`a record version must be a whole number, not ${meta.version}`)
  const dataKey = await createDataKey()
  const row = { format: RECORD_FORMAT, ...meta } as const
  const [wrappedKey, sealedSummary, sealedResource] = await Promise.all([
    wrapDataKey(dataKey, recordsKey),
    sealPadded(dataKey, summary, associatedData(row, 'summary')),
    sealPadded(dataKey, resource, associatedData(row, 'resource')),
  ])
  return { ...row, wrappedKey, summary: sealedSummary, resource: sealedResource }
}

function storedSummaryBytes(summary: Omit<RecordSummary, 'sortKey'>): Uint8Array {
  const stored: StoredSummary = {
    v: 2,
    revision: SUMMARY_REVISION,
    resourceType: summary.resourceType,
    category: summary.category,
    title: summary.title,
    date: summary.date,
    detail: summary.detail,
    recorder: summary.recorder,
    searchText: summary.searchText,
    duplicateKeys: summary.duplicateKeys,
    aliases: summary.aliases,
    attachmentIds: summary.attachmentIds,
    origin: summary.origin,
    version: summary.version,
    createdAt: summary.createdAt,
    updatedAt: summary.updatedAt,
  }
  return utf8.encode(JSON.stringify(stored))
}

/** The plaintext of one part of a row; RecordDamagedError when it does not open. */
async function openPart(row: EncryptedRecord, recordsKey: CryptoKey, part: RecordPart): Promise<Uint8Array> {
  const dataKey = await unwrapDataKey(row.wrappedKey, recordsKey)
  try {
    const sealed = part === 'summary' ? row.summary : row.resource
    if (row.format === LEGACY_RECORD_FORMAT) return await open(dataKey, sealed, associatedData(row, part))
    return await openPadded(dataKey, sealed, associatedData(row, part))
  } catch (cause) {
    throw new RecordDamagedError(part === 'summary' ? 'its summary fails the integrity check' : 'its contents fail the integrity check', { cause })
  }
}

/**
 * A record's summary as read: `current` is false when it was sealed by an older summary revision
 * (or in format 1) and should be sealed again (resealRecord). Its fields are then computed again
 * from the resource, so what is shown is always today's; only when the resource does not open is
 * the summary shown as it was stored.
 */
export type OpenedSummary = { summary: RecordSummary; current: boolean }

/**
 * Decrypts a record's summary and checks it against its row, computing it again from the
 * resource when an older summary revision wrote it; throws RecordDamagedError when it cannot
 * (KeyUnwrapError for another wallet's record).
 *
 * @example
 * const { summary, current } = await openSummary(row, recordsKey)
 * if (!current) outdated.push(row)
 */
export async function openSummary(row: EncryptedRecord, recordsKey: CryptoKey): Promise<OpenedSummary> {
  const bytes = await openPart(row, recordsKey, 'summary')
  let value: unknown
  try {
    value = JSON.parse(utf8.decode(bytes))
  } catch (cause) {
    throw new RecordDamagedError('its summary is not readable', { cause })
  }
  const parsed = storedSummarySchema.safeParse(value)
  if (!parsed.success) throw new RecordDamagedError(describeProblem(parsed.error, "its summary's", 'its summary'))
  const stored = parsed.data
  if (row.format === RECORD_FORMAT) {
    // Also bound by the associated data; checked here too so that a summary never disagrees with its row.
    if (stored.v !== 2 || stored.version !== row.version || stored.createdAt !== row.createdAt || stored.updatedAt !== row.updatedAt) {
      throw new RecordDamagedError('its summary does not match its version and dates')
    }
  } else if (stored.v !== 1) {
    throw new RecordDamagedError('its summary is in another format than its row')
  }
  const summary = { ...stored, aliases: stored.aliases ?? [] }
  // A revision above today's was written by a newer CareKey: kept as it is, never rewritten with less.
  if (row.format === RECORD_FORMAT && (stored.revision ?? 1) >= SUMMARY_REVISION) return { summary: rowSummary(row, summary), current: true }
  let resource: Resource
  try {
    resource = parseResource(await openPart(row, recordsKey, 'resource'))
  } catch (cause) {
    // The stored summary still reads: the record stays listed, and shows as damaged when opened.
    if (cause instanceof RecordDamagedError) return { summary: rowSummary(row, summary), current: false }
    throw cause
  }
  const fresh = await summarizeResource(resource, stored.origin, stored.attachmentIds, { aliases: summary.aliases })
  return { summary: rowSummary(row, fresh), current: false }
}

type SummaryFields = Omit<RecordSummary, 'id' | 'sortKey' | 'version' | 'createdAt' | 'updatedAt' | 'date' | 'detail' | 'recorder'> &
  Partial<Pick<RecordSummary, 'date' | 'detail' | 'recorder'>>

/** The summary of a row, in one order of fields (so that two readings of it compare equal as JSON). */
function rowSummary(row: EncryptedRecord, fields: SummaryFields): RecordSummary {
  return {
    id: row.id,
    resourceType: fields.resourceType,
    category: fields.category,
    title: fields.title,
    date: fields.date,
    sortKey: fhirDateSortKey(fields.date),
    detail: fields.detail,
    recorder: fields.recorder,
    searchText: fields.searchText,
    duplicateKeys: fields.duplicateKeys,
    aliases: fields.aliases,
    attachmentIds: fields.attachmentIds,
    origin: fields.origin,
    version: recordVersion(row),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  }
}

/**
 * Decrypts a record's summary and checks it against its row (see openSummary); throws
 * RecordDamagedError when it cannot (KeyUnwrapError for another wallet's record).
 *
 * @example
 * const summary = await decryptSummary(row, recordsKey)
 */
export async function decryptSummary(row: EncryptedRecord, recordsKey: CryptoKey): Promise<RecordSummary> {
  return (await openSummary(row, recordsKey)).summary
}

/**
 * Decrypts and checks a record's FHIR resource; throws RecordDamagedError when it cannot.
 *
 * @example
 * const resource = await decryptResource(row, recordsKey)
 */
export async function decryptResource(row: EncryptedRecord, recordsKey: CryptoKey): Promise<Resource> {
  return parseResource(await openPart(row, recordsKey, 'resource'))
}

function parseResource(bytes: Uint8Array): Resource {
  let value: unknown
  try {
    value = JSON.parse(utf8.decode(bytes))
  } catch (cause) {
    throw new RecordDamagedError('its contents are not readable', { cause })
  }
  const check = checkR4Resource(value)
  if (!check.ok) throw new RecordDamagedError(`its FHIR resource is not valid: ${check.reason}`)
  return check.resource
}

/**
 * Re-seals a row in today's format with today's summary: a format 1 row as format 2 with
 * version 0, a row whose summary an older revision wrote with its summary computed again; the
 * same id, version, timestamps and resource bytes. Both parts must open and be readable; the new
 * row is opened again and compared before it is returned, so a row is only ever replaced by one
 * that reads back the same. Throws RecordDamagedError (the old row is then left as it is).
 *
 * @example
 * const resealed = await resealRecord(row, recordsKey)
 */
export async function resealRecord(row: EncryptedRecord, recordsKey: CryptoKey): Promise<VersionedEncryptedRecord> {
  let summary: RecordSummary
  let resource: Uint8Array
  try {
    resource = await openPart(row, recordsKey, 'resource')
    parseResource(resource)
    summary = await decryptSummary(row, recordsKey)
  } catch (cause) {
    if (cause instanceof RecordDamagedError) throw cause
    throw new RecordDamagedError('it cannot be opened with this wallet', { cause })
  }
  const meta = { id: row.id, version: recordVersion(row), createdAt: row.createdAt, updatedAt: row.updatedAt }
  const resealed = await sealRecord(meta, storedSummaryBytes({ ...summary, ...meta }), resource, recordsKey)
  const [again, resourceAgain] = await Promise.all([openSummary(resealed, recordsKey), openPart(resealed, recordsKey, 'resource')])
  if (!again.current || JSON.stringify(again.summary) !== JSON.stringify(summary) || !bytesEqual(resourceAgain, resource)) {
    throw new RecordDamagedError('it did not read back the same after re-encryption')
  }
  return resealed
}

const rowFields = {
  id: z.string({ error: 'is missing' }).regex(/^[0-9a-f-]{36}$/, 'is not valid'),
  wrappedKey: bytesSchema.refine((key) => key.length === WRAPPED_KEY_BYTES, 'has the wrong length'),
  summary: sealedSchema,
  resource: sealedSchema,
  createdAt: z.number({ error: 'is missing' }),
  updatedAt: z.number({ error: 'is missing' }),
}

const legacyRowSchema = z.object({ format: z.literal(LEGACY_RECORD_FORMAT), ...rowFields }, { error: 'is not a record row' })

const versionedRowSchema = z.object(
  {
    format: z.literal(RECORD_FORMAT),
    ...rowFields,
    version: z.int({ error: 'is missing' }).min(0, 'is not valid'),
  },
  { error: 'is not a record row' },
)

/**
 * Checks a row read from IndexedDB (or from a backup file), in either format, and returns it
 * typed; only the id, the version and the timestamps are in the clear, the summary and the
 * resource are checked when they are opened. Throws RecordDamagedError naming the first problem.
 *
 * @example
 * const row = parseStoredRecord(await db.get('records', id))
 */
export function parseStoredRecord(value: unknown): EncryptedRecord {
  const format: unknown = typeof value === 'object' && value !== null ? Reflect.get(value, 'format') : undefined
  const parsed =
    format === RECORD_FORMAT
      ? versionedRowSchema.safeParse(value)
      : format === LEGACY_RECORD_FORMAT || typeof value !== 'object' || value === null
        ? legacyRowSchema.safeParse(value)
        : undefined
  if (!parsed) throw new RecordDamagedError('its format is not a known format')
  if (!parsed.success) throw new RecordDamagedError(describeProblem(parsed.error, 'its', 'it'))
  return parsed.data
}

/** The first problem in words: "its summary's category is not a known category", "it is not a record row". */
function describeProblem(error: z.ZodError, owner: string, whole: string): string {
  const issue = error.issues[0]
  if (!issue) return `${whole} is malformed`
  if (issue.path.length === 0) return `${whole} ${issue.message}`
  return `${owner} ${issue.path.join(' ')} ${issue.message}`
}
