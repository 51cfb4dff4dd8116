import { describe, expect, it } from 'vitest'
import type { RecordSummary } from './summary.ts'
import { buildRecordsIndex, changeRecordsIndex, filterRecords, findDuplicate, groupByDay } from './search.ts'

const summary = (id: string, part: Partial<RecordSummary>): RecordSummary => ({
  id,
  resourceType: 'Observation',
  category: 'labs',
  title: id,
  date: undefined,
  sortKey: Number.NaN,
  detail: undefined,
  recorder: undefined,
  searchText: id,
  duplicateKeys: [`content:${id}`],
  aliases: [],
  attachmentIds: [],
  origin: 'imported',
  version: 1,
  createdAt: 0,
  updatedAt: 0,
  ...part,
})

const index = buildRecordsIndex([
  summary('old-lab', { date: '2019-01-02', sortKey: Date.UTC(2019, 0, 2), searchText: 'hemoglobin a1c 5.6 %' }),
  summary('undated-note', { category: 'notes', searchText: 'feeling better' }),
  summary('new-allergy', { category: 'allergies', date: '2024-03-12', sortKey: Date.UTC(2024, 2, 12), searchText: 'peanut hives' }),
  summary('same-day-lab', { date: '2024-03-12', sortKey: Date.UTC(2024, 2, 12), updatedAt: 5, searchText: 'cholesterol ldl' }),
])

describe('the records index', () => {
  it('orders newest first, undated last, and groups by day', () => {
    expect(index.records.map((r) => r.id)).toEqual(['same-day-lab', 'new-allergy', 'old-lab', 'undated-note'])
    expect(groupByDay(index.records).map((g) => [g.label, g.records.length])).toEqual([
      ['12 Mar 2024', 2],
      ['2 Jan 2019', 1],
      ['No date', 1],
    ])
  })

  it('filters by category and by every word of the query, ignoring case and accents', () => {
    expect(filterRecords(index, { categories: ['labs'] }).map((r) => r.id)).toEqual(['same-day-lab', 'old-lab'])
    expect(filterRecords(index, { query: 'HÉMOGLOBIN  5.6' }).map((r) => r.id)).toEqual(['old-lab'])
    expect(filterRecords(index, { categories: ['allergies'], query: 'ldl' })).toEqual([])
  })

  it('finds duplicates by key and follows changes', () => {
    expect(findDuplicate(index, ['content:nope', 'content:old-lab'])).toBe('old-lab')
    const changed = changeRecordsIndex(index, { remove: ['old-lab'], upsert: [summary('x', {})] })
    expect(findDuplicate(changed, ['content:old-lab'])).toBeUndefined()
    expect(changed.records).toHaveLength(4)
  })
})
