import { describe, expect, it } from 'vitest'
import type { RecordSummary } from './summary.ts'
import { buildRecordsIndex, changeRecordsIndex, countByCategory, filterRecords, findDuplicate, groupByDay, patientRecords, referencedRecords, timelineIndex } from './search.ts'

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

describe('the patient’s own record', () => {
  const withPatient = buildRecordsIndex([
    summary('lab', { date: '2024-03-12', sortKey: Date.UTC(2024, 2, 12), searchText: 'glucose' }),
    summary('me', { resourceType: 'Patient', category: 'other', title: 'Oriane Vellacott-Quenby', searchText: 'oriane vellacott-quenby other' }),
    summary('plan', { resourceType: 'CarePlan', category: 'other', searchText: 'care plan other' }),
  ])

  it('is kept apart from the timeline, its search and its counts, and still found by id and duplicate key', () => {
    expect(patientRecords(withPatient).map((r) => r.id)).toEqual(['me'])
    const timeline = timelineIndex(withPatient)
    expect(timeline.records.map((r) => r.id)).toEqual(['lab', 'plan'])
    expect(countByCategory(timeline).get('other')).toBe(1)
    expect(filterRecords(timeline, { query: 'oriane' })).toEqual([])
    expect(timeline.byId.get('me')?.title).toBe('Oriane Vellacott-Quenby')
    expect(findDuplicate(timeline, ['content:me'])).toBe('me')
    expect(timelineIndex(index)).toBe(index)
  })
})

describe('a report’s results in the wallet', () => {
  const report = summary('report', { resourceType: 'DiagnosticReport', createdAt: 7 })
  const results = buildRecordsIndex([
    report,
    summary('glucose', { aliases: ['Observation/glu-1', 'urn:uuid:0a8e2d47-0000-4000-8000-000000000001'], createdAt: 7 }),
    summary('other-source-glucose', { aliases: ['Observation/glu-1'], createdAt: 3 }),
    summary('potassium', { aliases: ['Observation/k-1'], createdAt: 3 }),
  ])

  it('are found by reference, relative, absolute or urn:uuid, preferring a record of the same import', () => {
    expect(
      referencedRecords(results, report, [
        'Observation/glu-1',
        'URN:UUID:0A8E2D47-0000-4000-8000-000000000001',
        'https://fhir.example.org/r4/Observation/k-1/_history/2',
        'Observation/missing',
        undefined,
      ]).map((r) => r?.id),
    ).toEqual(['glucose', 'glucose', 'potassium', undefined, undefined])
  })

  it('never include the report itself', () => {
    const selfish = { ...report, aliases: ['DiagnosticReport/r1'] }
    expect(referencedRecords(buildRecordsIndex([selfish]), selfish, ['DiagnosticReport/r1'])).toEqual([undefined])
  })
})
