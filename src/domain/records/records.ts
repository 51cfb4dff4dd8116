import type { Resource } from '@medplum/fhirtypes'
import { CareKeyError } from '../errors.ts'
import { utf8 } from '../crypto/bytes.ts'
import { createDataKey, GCM_IV_BYTES, GCM_TAG_BYTES, open, seal, unwrapDataKey, wrapDataKey, WRAPPED_KEY_BYTES, type Sealed } from '../crypto/envelope.ts'
import { categoryLabel, categoryOf, isRecordCategory, type RecordCategory } from '../fhir/categories.ts'
import { describeResource } from '../fhir/describe.ts'
import { fhirDateSortKey } from '../fhir/display.ts'
import { duplicateKeys } from '../fhir/identity.ts'
import { checkR4Resource } from '../fhir/validate.ts'
import { searchable } from './search.ts'

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

/** How a record came into the wallet. */
export type RecordOrigin = 'imported' | 'entered' | 'uploaded' | 'sample' | 'restored'
const ORIGINS: readonly RecordOrigin[] = ['imported', 'entered', 'uploaded', 'sample', 'restored']

/** What the wallet knows about a record without opening the resource itself. */
export type RecordSummary = {
  id: string
  resourceType: string
  category: RecordCategory
  title: string
  /** FHIR date or dateTime the record is about, as written in it. */
  date: string | undefined
  /** `date` as milliseconds, for ordering (NaN when there is none). */
  sortKey: number
  detail: string | undefined
  recorder: string | undefined
  /** Lower-case text the search looks in. */
  searchText: string
  /** See domain/fhir/identity.ts. */
  duplicateKeys: string[]
  /** Encrypted attachments stored with this record (by attachment id). */
  attachmentIds: string[]
  origin: RecordOrigin
  createdAt: number
  updatedAt: number
}

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
  const { v: _format, ...stored } = parseStoredSummary(value)
  return { ...stored, id: row.id, sortKey: fhirDateSortKey(stored.date), createdAt: row.createdAt, updatedAt: row.updatedAt }
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

type StoredSummary = {
  v: 1
  resourceType: string
  category: RecordCategory
  title: string
  date: string | undefined
  detail: string | undefined
  recorder: string | undefined
  searchText: string
  duplicateKeys: string[]
  attachmentIds: string[]
  origin: RecordOrigin
}

function parseStoredSummary(value: unknown): StoredSummary {
  if (typeof value !== 'object' || value === null) throw new RecordDamagedError('its summary is not an object')
  const get = (key: string): unknown => Reflect.get(value, key)
  const str = (key: string) => {
    const v = get(key)
    if (typeof v !== 'string') throw new RecordDamagedError(`its summary has no ${key}`)
    return v
  }
  const optStr = (key: string) => {
    const v = get(key)
    if (v !== undefined && typeof v !== 'string') throw new RecordDamagedError(`its summary's ${key} is not text`)
    return v
  }
  const strings = (key: string) => {
    const v = get(key)
    if (!Array.isArray(v) || !v.every((s): s is string => typeof s === 'string')) throw new RecordDamagedError(`its summary's ${key} is not a list`)
    return v
  }
  if (get('v') !== 1) throw new RecordDamagedError('its summary has an unknown format')
  const category = get('category')
  if (!isRecordCategory(category)) throw new RecordDamagedError('its summary has an unknown category')
  const origin = ORIGINS.find((o) => o === get('origin'))
  if (!origin) throw new RecordDamagedError('its summary has an unknown origin')
  return {
    v: 1,
    resourceType: str('resourceType'),
    category,
    title: str('title'),
    date: optStr('date'),
    detail: optStr('detail'),
    recorder: optStr('recorder'),
    searchText: str('searchText'),
    duplicateKeys: strings('duplicateKeys'),
    attachmentIds: strings('attachmentIds'),
    origin,
  }
}

/**
 * Checks a row read from IndexedDB (or from a backup file) and returns it typed; throws
 * RecordDamagedError naming the first problem.
 */
export function parseStoredRecord(value: unknown): EncryptedRecord {
  if (typeof value !== 'object' || value === null) throw new RecordDamagedError('it is not a record row')
  const get = (key: string): unknown => Reflect.get(value, key)
  if (get('format') !== RECORD_FORMAT) throw new RecordDamagedError(`unknown format ${String(get('format'))}`)
  const id = get('id')
  if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/.test(id)) throw new RecordDamagedError('its id is not valid')
  const createdAt = get('createdAt')
  const updatedAt = get('updatedAt')
  if (typeof createdAt !== 'number' || typeof updatedAt !== 'number') throw new RecordDamagedError('its dates are missing')
  return {
    format: RECORD_FORMAT,
    id,
    wrappedKey: bytesField(get('wrappedKey'), 'wrapped key', WRAPPED_KEY_BYTES, WRAPPED_KEY_BYTES),
    summary: sealedField(get('summary'), 'summary'),
    resource: sealedField(get('resource'), 'resource'),
    createdAt,
    updatedAt,
  }
}

/** A {iv, ciphertext} pair read from storage. */
export function sealedField(value: unknown, name: string): Sealed {
  if (typeof value !== 'object' || value === null) throw new RecordDamagedError(`its ${name} is missing`)
  return {
    iv: bytesField(Reflect.get(value, 'iv'), `${name} IV`, GCM_IV_BYTES, GCM_IV_BYTES),
    ciphertext: bytesField(Reflect.get(value, 'ciphertext'), name, GCM_TAG_BYTES, Number.MAX_SAFE_INTEGER),
  }
}

function bytesField(value: unknown, name: string, min: number, max: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new RecordDamagedError(`its ${name} is missing`)
  if (value.length < min || value.length > max) throw new RecordDamagedError(`its ${name} has the wrong length`)
  return value
}
