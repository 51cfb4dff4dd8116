import type { RecordCategory } from '../fhir/categories.ts'
import { fhirDayKey, formatFhirDate } from '../fhir/display.ts'
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
