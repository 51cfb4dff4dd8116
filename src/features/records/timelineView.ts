import type { RecordCategory } from '../../domain/fhir/categories.ts'
import { recordsSession } from './session.ts'

/** Records shown at first and added by each "Show more": enough to fill screens, few enough to paint fast. */
export const PAGE_SIZE = 50

/** What the timeline shows: kept while the patient opens a record and comes back. */
export type TimelineView = { category: RecordCategory | 'all'; query: string; limit: number }

const INITIAL: TimelineView = { category: 'all', query: '', limit: PAGE_SIZE }

let current = INITIAL
let epoch = recordsSession.getEpoch()

// A search query says something about the patient's health: held in memory only, and
// forgotten with everything else when the wallet locks.
recordsSession.subscribe(() => {
  if (recordsSession.getEpoch() !== epoch) {
    epoch = recordsSession.getEpoch()
    current = INITIAL
  }
})

export const timelineView = {
  get: (): TimelineView => current,
  set: (view: TimelineView) => {
    current = view
  },
}
