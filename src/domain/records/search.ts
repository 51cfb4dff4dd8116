import type { RecordCategory } from '../fhir/categories.ts'
import { fhirDayKey, formatFhirDate } from '../fhir/display.ts'
import { referenceKeys } from '../fhir/references.ts'
import type { RecordSummary } from './summary.ts'

/**
 * The decrypted, in-memory index of the wallet's records: what the timeline, the category
 * filter, the search and duplicate detection read. Built after unlock, dropped at lock. It is
 * immutable: a change makes a new index, so React sees every change.
 */
export type RecordsIndex = {
  /** Newest first; records without a date last. */
  records: readonly RecordSummary[]
  byId: ReadonlyMap<string, RecordSummary>
  /** Every duplicate key (domain/fhir/identity.ts) → the record that has it. */
  byDuplicateKey: ReadonlyMap<string, string>
  /** Stored rows that could not be read. */
  damaged: number
  /** The records manifest was missing or damaged, so CareKey could not check that these are the newest copies (domain/records/manifest.ts). */
  versionsUnchecked: boolean
}

/**
 * @example
 * const index = buildRecordsIndex(summaries, 0)
 */
export function buildRecordsIndex(summaries: readonly RecordSummary[], damaged = 0, versionsUnchecked = false): RecordsIndex {
  const records = [...summaries].sort(newestFirst)
  const byId = new Map(records.map((r) => [r.id, r]))
  const byDuplicateKey = new Map<string, string>()
  for (const r of records) for (const key of r.duplicateKeys) if (!byDuplicateKey.has(key)) byDuplicateKey.set(key, r.id)
  return { records, byId, byDuplicateKey, damaged, versionsUnchecked }
}

/** The index after adding or replacing some records and removing others. */
export function changeRecordsIndex(index: RecordsIndex, change: { upsert?: readonly RecordSummary[]; remove?: readonly string[] }): RecordsIndex {
  const gone = new Set([...(change.remove ?? []), ...(change.upsert ?? []).map((r) => r.id)])
  const kept = index.records.filter((r) => !gone.has(r.id))
  return buildRecordsIndex([...kept, ...(change.upsert ?? [])], index.damaged, index.versionsUnchecked)
}

/** The first stored record that is a duplicate of one with these keys, if any. */
export function findDuplicate(index: RecordsIndex, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const id = index.byDuplicateKey.get(key)
    if (id !== undefined) return id
  }
  return undefined
}

/**
 * Lower-case, accent-free text for search ("Café" → "cafe").
 *
 * @example
 * searchable('Hémoglobine A1c') // 'hemoglobine a1c'
 */
export function searchable(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase()
}

/**
 * Whether a record is the patient themselves (a FHIR Patient: their name, birth date, address)
 * rather than something about their health. The records screen shows it as "About you", apart
 * from the timeline; it stays a stored record (shared, backed up and de-duplicated as any other).
 *
 * @example
 * isPatientRecord({ resourceType: 'Patient' }) // true
 */
export function isPatientRecord(record: Pick<RecordSummary, 'resourceType'>): boolean {
  return record.resourceType === 'Patient'
}

/**
 * The records that are the patient themselves (see isPatientRecord), newest first.
 *
 * @example
 * patientRecords(index)[0]?.title // 'Oriane Vellacott-Quenby'
 */
export function patientRecords(index: RecordsIndex): readonly RecordSummary[] {
  return index.records.filter(isPatientRecord)
}

/**
 * The index as the timeline lists it: every record but the patient's own (see isPatientRecord).
 * Lookups by id and duplicate key still see every record.
 *
 * @example
 * filterRecords(timelineIndex(index), { query: 'glucose' })
 */
export function timelineIndex(index: RecordsIndex): RecordsIndex {
  const records = index.records.filter((r) => !isPatientRecord(r))
  return records.length === index.records.length ? index : { ...index, records }
}

/**
 * The wallet's records that a record's references point to (a report's results), one per
 * reference in its order, undefined where the wallet has no such record. When two records go by
 * the name a reference uses (two sources that both have an `Observation/1`), the one stored
 * with the referring record (the same import) is taken.
 *
 * @example
 * referencedRecords(index, report, ['urn:uuid:9a918a7a-41ea-42c0-a0b1-9236e05144b6'])[0]?.title // 'Hemoglobin A1c'
 */
export function referencedRecords(index: RecordsIndex, from: RecordSummary, references: readonly (string | undefined)[]): (RecordSummary | undefined)[] {
  const byAlias = new Map<string, RecordSummary[]>()
  for (const record of index.records) {
    if (record.id === from.id) continue
    for (const alias of record.aliases) byAlias.set(alias, [...(byAlias.get(alias) ?? []), record])
  }
  return references.map((reference) => {
    const candidates = referenceKeys(reference ?? '').flatMap((key) => byAlias.get(key) ?? [])
    return candidates.find((c) => c.createdAt === from.createdAt) ?? candidates[0]
  })
}

export type RecordsFilter = { categories?: readonly RecordCategory[]; query?: string }

/**
 * The records in the given categories (all when none are given) whose text contains every
 * word of the query, in timeline order.
 *
 * @example
 * filterRecords(index, { categories: ['labs'], query: 'hemoglobin' })
 */
export function filterRecords(index: RecordsIndex, filter: RecordsFilter): readonly RecordSummary[] {
  const words = searchable(filter.query ?? '')
    .split(/\s+/)
    .filter(Boolean)
  const categories = filter.categories?.length ? new Set(filter.categories) : undefined
  if (!categories && words.length === 0) return index.records
  return index.records.filter((r) => (!categories || categories.has(r.category)) && words.every((w) => r.searchText.includes(w)))
}

/** How many records each category holds. */
export function countByCategory(index: RecordsIndex): ReadonlyMap<RecordCategory, number> {
  const counts = new Map<RecordCategory, number>()
  for (const r of index.records) counts.set(r.category, (counts.get(r.category) ?? 0) + 1)
  return counts
}

export type TimelineGroup = { key: string; label: string; records: RecordSummary[] }

/**
 * Consecutive records grouped by the day they happened on (or month or year, for partial
 * dates), labelled for people. Expects timeline order.
 *
 * @example
 * groupByDay(filterRecords(index, {}))[0] // { key: '2024-03-12', label: '12 Mar 2024', records: [...] }
 */
export function groupByDay(records: readonly RecordSummary[], options: { timeZone?: string } = {}): TimelineGroup[] {
  const groups: TimelineGroup[] = []
  for (const record of records) {
    const key = fhirDayKey(record.date, options) ?? 'undated'
    const last = groups[groups.length - 1]
    if (last && last.key === key) last.records.push(record)
    else groups.push({ key, label: key === 'undated' ? 'No date' : (formatFhirDate(key) ?? key), records: [record] })
  }
  return groups
}

function newestFirst(a: RecordSummary, b: RecordSummary): number {
  const aDated = !Number.isNaN(a.sortKey)
  const bDated = !Number.isNaN(b.sortKey)
  if (aDated !== bDated) return aDated ? -1 : 1
  if (aDated && a.sortKey !== b.sortKey) return b.sortKey - a.sortKey
  return b.updatedAt - a.updatedAt || (a.id < b.id ? -1 : 1)
}
