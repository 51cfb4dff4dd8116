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
  /**
   * How many times the record was saved: 1 when it is added, one more at each edit; 0 for a
   * record stored before versions were kept. Bound to its ciphertext with `updatedAt`.
   */
  version: number
  createdAt: number
  updatedAt: number
}

/**
 * A record's summary as it is sealed at rest: the summary without the id, which the row holds in
 * the clear, and without the sort key, computed from the date. Version 2 also holds the record's
 * version and timestamps, which must agree with the row's; version 1 (records stored before
 * versions were kept) holds neither. Read back with storedSummarySchema, as consent and share
 * rows are read with theirs.
 */
export type StoredSummary =
  | ({ v: 1 } & Omit<RecordSummary, 'id' | 'sortKey' | 'version' | 'createdAt' | 'updatedAt'>)
  | ({ v: 2 } & Omit<RecordSummary, 'id' | 'sortKey'>)

/**
 * The check of a decrypted summary. Each message completes "its summary's <field> …".
 *
 * @example
 * const parsed = storedSummarySchema.safeParse(JSON.parse(plaintext))
 */
export const storedSummarySchema = z.object(
  {
    v: z.literal([1, 2], { error: 'is not a known format' }),
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
    // Version 2 only; decryptSummary checks them against the row.
    version: z.int({ error: 'is not a whole number' }).min(0).optional(),
    createdAt: z.number({ error: 'is not a number' }).optional(),
    updatedAt: z.number({ error: 'is not a number' }).optional(),
  },
  { error: 'is not an object' },
)
