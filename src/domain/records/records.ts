import type { Resource } from '@medplum/fhirtypes'
import { z } from 'zod'
import { CareKeyError } from '../errors.ts'
import { bytesSchema, utf8 } from '../crypto/bytes.ts'
import { createDataKey, open, seal, sealedSchema, unwrapDataKey, wrapDataKey, WRAPPED_KEY_BYTES, type Sealed } from '../crypto/envelope.ts'
import { categoryLabel, categoryOf } from '../fhir/categories.ts'
import { describeResource } from '../fhir/describe.ts'
import { fhirDateSortKey } from '../fhir/display.ts'
import { duplicateKeys } from '../fhir/identity.ts'
import { checkR4Resource } from '../fhir/validate.ts'
import { searchable } from './search.ts'
import { storedSummarySchema, type RecordOrigin, type RecordSummary, type StoredSummary } from './summary.ts'

/**
 * A health record at rest: one FHIR R4 resource and its summary (what the timeline, filters,
 * search and duplicate detection need), each AES-256-GCM encrypted under the record's own data
 * key, which is stored wrapped by the wallet's records key. In the clear there is only a random
 * id and the storage timestamps.
 */
export type EncryptedRecord = {
  format: typeof RECORD_FORMAT
  /** Random (UUID v4); says nothing about the record. */
  id: string
  wrappedKey: Uint8Array
  summary: Sealed
  resource: Sealed
  createdAt: number
  updatedAt: number
}

export const RECORD_FORMAT = 1

/** A record that could not be read: damaged on disk, or written by another wallet. */
export class RecordDamagedError extends CareKeyError {
  constructor(detail: string, options?: ErrorOptions) {
    super(
      `A stored record could not be read (${detail}).`,
      'Your other records are unaffected. If you have a backup, restoring it brings the record back.',
      options,
    )
  }
}

const MAX_SEARCH_TEXT = 4000

/**
 * The summary of a resource (without the id and timestamps, which the store assigns).
 *
 * @example
 * const summary = await summarizeResource(observation, 'imported')
 * summary.category // 'labs'
 */
export async function summarizeResource(
  resource: Resource,
  origin: RecordOrigin,
  attachmentIds: string[] = [],
): Promise<Omit<RecordSummary, 'id' | 'createdAt' | 'updatedAt'>> {
  const description = describeResource(resource)
  const category = categoryOf(resource)
  const words = [
    description.title,
    description.detail,
    description.recorder,
    categoryLabel(category),
    ...description.facts.map((f) => f.value),
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
    attachmentIds,
    origin,
  }
}

const summaryData = (id: string) => `carekey-record:v${RECORD_FORMAT}:${id}:summary`
const resourceData = (id: string) => `carekey-record:v${RECORD_FORMAT}:${id}:resource`

/**
 * Encrypts a record under a fresh data key, wrapped by the records key. The ciphertexts are
 * bound to the record id, so they cannot be moved to another record unnoticed.
 *
 * @example
 * const row = await encryptRecord({ summary, resource }, recordsKey)
 */
export async function encryptRecord(record: { summary: RecordSummary; resource: Resource }, recordsKey: CryptoKey): Promise<EncryptedRecord> {
  const { summary, resource } = record
  const dataKey = await createDataKey()
  const stored: StoredSummary = {
    v: 1,
    resourceType: summary.resourceType,
    category: summary.category,
    title: summary.title,
    date: summary.date,
    detail: summary.detail,
    recorder: summary.recorder,
    searchText: summary.searchText,
    duplicateKeys: summary.duplicateKeys,
    attachmentIds: summary.attachmentIds,
    origin: summary.origin,
  }
  const [wrappedKey, sealedSummary, sealedResource] = await Promise.all([
    wrapDataKey(dataKey, recordsKey),
    seal(dataKey, utf8.encode(JSON.stringify(stored)), summaryData(summary.id)),
    seal(dataKey, utf8.encode(JSON.stringify(resource)), resourceData(summary.id)),
  ])
  return {
    format: RECORD_FORMAT,
    id: summary.id,
    wrappedKey,
    summary: sealedSummary,
    resource: sealedResource,
    createdAt: summary.createdAt,
    updatedAt: summary.updatedAt,
  }
}

/** Decrypts a record's summary; throws RecordDamagedError when it cannot. */
export async function decryptSummary(row: EncryptedRecord, recordsKey: CryptoKey): Promise<RecordSummary> {
  const dataKey = await unwrapDataKey(row.wrappedKey, recordsKey)
  let value: unknown
  try {
    value = JSON.parse(utf8.decode(await open(dataKey, row.summary, summaryData(row.id))))
  } catch (cause) {
    throw new RecordDamagedError('its summary fails the integrity check', { cause })
  }
  const parsed = storedSummarySchema.safeParse(value)
  if (!parsed.success) throw new RecordDamagedError(describeProblem(parsed.error, "its summary's", 'its summary'))
  const stored = parsed.data
  return {
    id: row.id,
    resourceType: stored.resourceType,
    category: stored.category,
    title: stored.title,
    date: stored.date,
    sortKey: fhirDateSortKey(stored.date),
    detail: stored.detail,
    recorder: stored.recorder,
    searchText: stored.searchText,
    duplicateKeys: stored.duplicateKeys,
    attachmentIds: stored.attachmentIds,
    origin: stored.origin,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  }
}

/** Decrypts and checks a record's FHIR resource; throws RecordDamagedError when it cannot. */
export async function decryptResource(row: EncryptedRecord, recordsKey: CryptoKey): Promise<Resource> {
  const dataKey = await unwrapDataKey(row.wrappedKey, recordsKey)
  let value: unknown
  try {
    value = JSON.parse(utf8.decode(await open(dataKey, row.resource, resourceData(row.id))))
  } catch (cause) {
    throw new RecordDamagedError('its contents fail the integrity check', { cause })
  }
  const check = checkR4Resource(value)
  if (!check.ok) throw new RecordDamagedError(`its FHIR resource is not valid: ${check.reason}`)
  return check.resource
}

/**
 * The check of a record row as IndexedDB (or a backup file) gives it back: only the id and the
 * timestamps are in the clear; the summary and the resource are checked when they are opened.
 *
 * @example
 * const row = recordRowSchema.safeParse(value)
 */
export const recordRowSchema = z.object(
  {
    format: z.literal(RECORD_FORMAT, { error: 'is not a known format' }),
    id: z.string({ error: 'is missing' }).regex(/^[0-9a-f-]{36}$/, 'is not valid'),
    wrappedKey: bytesSchema.refine((key) => key.length === WRAPPED_KEY_BYTES, 'has the wrong length'),
    summary: sealedSchema,
    resource: sealedSchema,
    createdAt: z.number({ error: 'is missing' }),
    updatedAt: z.number({ error: 'is missing' }),
  },
  { error: 'is not a record row' },
)

/**
 * Checks a row read from IndexedDB (or from a backup file) and returns it typed; throws
 * RecordDamagedError naming the first problem.
 *
 * @example
 * const row = parseStoredRecord(await db.get('records', id))
 */
export function parseStoredRecord(value: unknown): EncryptedRecord {
  const parsed = recordRowSchema.safeParse(value)
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
