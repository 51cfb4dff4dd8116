import { z } from 'zod'
import { RECORD_CATEGORY_IDS, type RecordCategory } from '../fhir/categories.ts'

/** How a record came into the wallet. */
export type RecordOrigin = 'imported' | 'entered' | 'uploaded' | 'sample' | 'restored'
export const RECORD_ORIGINS: readonly RecordOrigin[] = ['imported', 'entered', 'uploaded', 'sample', 'restored']

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

/**
 * A record's summary as it is sealed at rest (version 1): the summary without the id and the
 * timestamps, which the row holds in the clear, and without the sort key, computed from the date.
 * Read back with storedSummarySchema, as consent and share rows are read with theirs.
 */
export type StoredSummary = { v: 1 } & Omit<RecordSummary, 'id' | 'sortKey' | 'createdAt' | 'updatedAt'>

/**
 * The check of a decrypted summary. Each message completes "its summary's <field> …".
 *
 * @example
 * const parsed = storedSummarySchema.safeParse(JSON.parse(plaintext))
 */
export const storedSummarySchema = z.object(
  {
    v: z.literal(1, { error: 'is not a known format' }),
    resourceType: z.string({ error: 'is missing' }),
    category: z.enum(RECORD_CATEGORY_IDS, { error: 'is not a known category' }),
    title: z.string({ error: 'is missing' }),
    date: z.string({ error: 'is not text' }).optional(),
    detail: z.string({ error: 'is not text' }).optional(),
    recorder: z.string({ error: 'is not text' }).optional(),
    searchText: z.string({ error: 'is missing' }),
    duplicateKeys: z.array(z.string(), { error: 'is not a list' }),
    attachmentIds: z.array(z.string(), { error: 'is not a list' }),
    origin: z.enum(RECORD_ORIGINS, { error: 'is not a known origin' }),
  },
  { error: 'is not an object' },
)
