import { useQuery } from '@tanstack/react-query'
import type { RecordSummary } from '../../domain/records/summary.ts'
import { filterRecords, type RecordsFilter } from '../../domain/records/search.ts'
import { useSessionScope } from '../wallet/index.ts'
import { recordsIndexQueryOptions } from './queries.ts'

/** The decrypted records index of the unlocked wallet. */
export function useRecordsIndex() {
  return useQuery(recordsIndexQueryOptions(useSessionScope()))
}

/** A summary of one record, as other features see it. */
export type RecordSummaryView = Pick<RecordSummary, 'id' | 'category' | 'title' | 'date' | 'detail' | 'resourceType'>

/**
 * The unlocked wallet's records as summaries (id, category, title, FHIR date, one-line
 * detail), newest first, optionally filtered by category and text. Decrypted in memory only;
 * empty again after a lock.
 *
 * @example
 * const { data: records = [], isPending } = useRecordSummaries({ categories: ['allergies', 'medications'] })
 * records[0] // { id: '5f0c…', category: 'allergies', title: 'Peanut', date: '2009-06', detail: 'High risk', resourceType: 'AllergyIntolerance' }
 */
export function useRecordSummaries(filter: RecordsFilter = {}) {
  const categories = filter.categories?.join(',') ?? ''
  const query = filter.query ?? ''
  return useQuery({
    ...recordsIndexQueryOptions(useSessionScope()),
    select: (index): RecordSummaryView[] =>
      filterRecords(index, { categories: categories ? filter.categories : undefined, query }).map((r) => ({
        id: r.id,
        category: r.category,
        title: r.title,
        date: r.date,
        detail: r.detail,
        resourceType: r.resourceType,
      })),
  })
}
