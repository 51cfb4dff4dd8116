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
  /**
   * The names other records of its source may use for it in a reference (`Observation/42`,
   * `urn:uuid:…`): how a report finds its results in the wallet. See domain/fhir/references.ts.
   */
  aliases: string[]
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
 * What CareKey puts in a summary, counted: raise it whenever summarizeResource changes what it
 * computes (a title, the search text, a new field), and summaries written before are computed
 * again from their resource when they are read, and sealed again after unlock. 1: summaries
 * written before the revision was stored; 2: plain lab names, high or low, codes in the search,
 * the patient's details, Goals, and `aliases`.
 */
export const SUMMARY_REVISION = 2

/**
 * A record's summary as it is sealed at rest: the summary without the id, which the row holds in
 * the clear, and without the sort key, computed from the date. Version 2 also holds the record's
 * version and timestamps, which must agree with the row's, and (since summary revision 2) the
 * revision it was computed with and the record's aliases; version 1 (records stored before
 * versions were kept) holds none of these. Read back with storedSummarySchema, as consent and
 * share rows are read with theirs.
 */
export type StoredSummary =
  | ({ v: 1 } & Omit<RecordSummary, 'id' | 'sortKey' | 'aliases' | 'version' | 'createdAt' | 'updatedAt'>)
  | ({ v: 2; revision?: number; aliases?: string[] } & Omit<RecordSummary, 'id' | 'sortKey' | 'aliases'>)

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
    // Since summary revision 2; computed from the resource when missing.
    aliases: z.array(z.string(), { error: 'is not a list' }).optional(),
    revision: z.int({ error: 'is not a whole number' }).min(1).optional(),
    attachmentIds: z.array(z.string(), { error: 'is not a list' }),
    origin: z.enum(RECORD_ORIGINS, { error: 'is not a known origin' }),
    // Version 2 only; decryptSummary checks them against the row.
    version: z.int({ error: 'is not a whole number' }).min(0).optional(),
    createdAt: z.number({ error: 'is not a number' }).optional(),
    updatedAt: z.number({ error: 'is not a number' }).optional(),
  },
  { error: 'is not an object' },
)
