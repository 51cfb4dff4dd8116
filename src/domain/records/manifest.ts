import { z } from 'zod'
import { utf8 } from '../crypto/bytes.ts'
import { sealedSchema, type Sealed } from '../crypto/envelope.ts'
import { openPadded, sealPadded } from '../crypto/padding.ts'
import { CareKeyError } from '../errors.ts'
import { LEGACY_RECORD_FORMAT, type EncryptedRecord } from './records.ts'

/**
 * The records manifest: the version of every record the wallet holds, and the ids of records it
 * deleted, sealed (AES-256-GCM, padded) under the records manifest key and written in the same
 * IndexedDB transaction as every change to the records, so that it always agrees with them.
 *
 * A record's associated data binds its version and dates, so its metadata cannot be changed
 * and an older ciphertext cannot be put under newer metadata. What that cannot notice is an
 * older *whole* row put back (its older metadata with its older ciphertext). The manifest can:
 * when the records are read, a row must have exactly the version the manifest lists for it.
 *
 * Noticed (the record counts as damaged and is not shown):
 * - a record replaced by an older copy of itself (a lower version, or a format 1 row of a record
 *   that has been re-sealed since);
 * - a deleted record put back (its id is among the deleted);
 * - a format 2 record the manifest does not list (put here from elsewhere);
 * - the manifest replaced by an older copy: every record changed since then no longer matches.
 *
 * The manifest removed or damaged (a partial restore, storage cleared in part, a bug): the
 * records cannot be checked, but hiding them would look to the patient as if all their records
 * had vanished. So the records that open are shown, with a notice that CareKey could not check
 * that they are the newest copies (`versionsUnchecked`), and the next change rebuilds the manifest
 * from every row then stored, plus the change (`manifestOfStoredRows`): nothing becomes hidden,
 * and from then on rollbacks are noticed again. Which ids were deleted is forgotten then.
 *
 * Not noticed:
 * - the records and the manifest put back together as they were at some earlier moment (for
 *   example a copy of the whole browser profile): nothing on the device can tell that apart from
 *   the moment itself; only a copy kept elsewhere (a backup) remembers later changes;
 * - a record deleted outside CareKey: it is simply not there (its data is gone, not falsified);
 * - format 1 rows the manifest does not list (stored before the manifest existed): accepted as
 *   they are, and re-sealed as format 2 at the next unlock, from when on they are checked.
 */
export type RecordsManifest = {
  /** Counts the changes; in the clear too, so that a write can tell whether another tab wrote first. */
  generation: number
  /** Record id → its version (0 for one stored before versions were kept, then re-sealed). */
  versions: ReadonlyMap<string, number>
  /** Ids of records deleted in this wallet. */
  deleted: ReadonlySet<string>
}

/** The manifest at rest (in the settings store). */
export type SealedRecordsManifest = { format: typeof MANIFEST_FORMAT; generation: number; sealed: Sealed }

export const MANIFEST_FORMAT = 1

/** The manifest of a wallet that has written no record yet. */
export const EMPTY_RECORDS_MANIFEST: RecordsManifest = { generation: 0, versions: new Map(), deleted: new Set() }

/** The stored manifest is there but cannot be opened: changed on disk, or not this wallet's. */
export class RecordsManifestDamagedError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super(
      'The list of your records’ versions is damaged, so CareKey cannot tell whether the records on this device are their newest copies.',
      'Restore your records from a backup.',
      options,
    )
  }
}

const associatedData = (generation: number) => `carekey-records-manifest:v${MANIFEST_FORMAT}:${generation}`

const sealedManifestSchema = z.object({ format: z.literal(MANIFEST_FORMAT), generation: z.int().min(0), sealed: sealedSchema })

const manifestJsonSchema = z.object({
  v: z.literal(1),
  generation: z.int().min(0),
  versions: z.record(z.string(), z.int().min(0)),
  deleted: z.array(z.string()),
})

/**
 * The generation a stored manifest value says it has, read from the clear (undefined when there
 * is none or it is not a manifest). A write compares it, inside its transaction, with the one it
 * started from.
 *
 * @example
 * if (manifestGeneration(await settings.get(KEY)) !== expected) tx.abort()
 */
export function manifestGeneration(value: unknown): number | undefined {
  const parsed = sealedManifestSchema.shape.generation.safeParse(typeof value === 'object' && value !== null ? Reflect.get(value, 'generation') : undefined)
  return parsed.success ? parsed.data : undefined
}

/**
 * Seals a manifest for storage.
 *
 * @example
 * await settings.put(await sealRecordsManifest(next, keys.manifest), RECORDS_MANIFEST_SETTING)
 */
export async function sealRecordsManifest(manifest: RecordsManifest, key: CryptoKey): Promise<SealedRecordsManifest> {
  const json: z.input<typeof manifestJsonSchema> = {
    v: 1,
    generation: manifest.generation,
    versions: Object.fromEntries(manifest.versions),
    deleted: [...manifest.deleted],
  }
  const sealed = await sealPadded(key, utf8.encode(JSON.stringify(json)), associatedData(manifest.generation))
  return { format: MANIFEST_FORMAT, generation: manifest.generation, sealed }
}

/**
 * Opens a stored manifest value; throws RecordsManifestDamagedError when it is not one this
 * wallet sealed.
 *
 * @example
 * const manifest = stored === undefined ? undefined : await openRecordsManifest(stored, keys.manifest)
 */
export async function openRecordsManifest(value: unknown, key: CryptoKey): Promise<RecordsManifest> {
  const row = sealedManifestSchema.safeParse(value)
  if (!row.success) throw new RecordsManifestDamagedError()
  let json: z.output<typeof manifestJsonSchema>
  try {
    json = manifestJsonSchema.parse(JSON.parse(utf8.decode(await openPadded(key, row.data.sealed, associatedData(row.data.generation)))))
  } catch (cause) {
    throw new RecordsManifestDamagedError({ cause })
  }
  if (json.generation !== row.data.generation) throw new RecordsManifestDamagedError()
  return { generation: json.generation, versions: new Map(Object.entries(json.versions)), deleted: new Set(json.deleted) }
}

/**
 * The manifest after a change to the records: written rows get their version, deleted ids are
 * remembered as deleted, and the generation counts one more.
 *
 * @example
 * const next = changeRecordsManifest(manifest, { put: rows, remove: change.deleteRecordIds })
 */
export function changeRecordsManifest(
  manifest: RecordsManifest,
  change: { put?: readonly { id: string; version: number }[]; remove?: readonly string[] },
): RecordsManifest {
  const versions = new Map(manifest.versions)
  const deleted = new Set(manifest.deleted)
  for (const id of change.remove ?? []) {
    versions.delete(id)
    deleted.add(id)
  }
  for (const { id, version } of change.put ?? []) {
    versions.set(id, version)
    deleted.delete(id)
  }
  return { generation: manifest.generation + 1, versions, deleted }
}

/** What was found where the manifest is kept. */
export type ManifestState = { kind: 'found'; manifest: RecordsManifest } | { kind: 'missing' } | { kind: 'damaged' }

/**
 * Why a row that opened is not the copy the manifest expects, in words that complete
 * "A stored record could not be read (…)"; undefined when it is (see the top of this file).
 *
 * @example
 * const problem = rollbackProblem(row, state)
 * if (problem) damaged++
 */
export function rollbackProblem(row: EncryptedRecord, state: ManifestState): string | undefined {
  // Without a manifest nothing can be checked: shown, with a notice (see `versionsUnchecked`).
  if (state.kind !== 'found') return undefined
  const { versions, deleted } = state.manifest
  const expected = versions.get(row.id)
  if (expected === undefined) {
    if (deleted.has(row.id)) return 'it was deleted, and an old copy was put back'
    if (row.format === LEGACY_RECORD_FORMAT) return undefined
    return 'it is not in the list of your records’ versions: it was put here from elsewhere'
  }
  if (row.format === LEGACY_RECORD_FORMAT) return 'it is an older copy, from before it was last saved'
  if (row.version < expected) return 'it is an older copy than the one last saved'
  if (row.version > expected) return 'the list of your records’ versions is older than this record: it was put back from an older copy'
  return undefined
}

/**
 * Whether the records read could not be checked against a manifest: it is missing while format 2
 * rows are stored (a wallet that never wrote one has only format 1 rows, or none), or it is
 * damaged while any row is stored. The records screen then says so.
 *
 * @example
 * buildRecordsIndex(summaries, damaged, versionsUnchecked(rows, manifest))
 */
export function versionsUnchecked(rows: readonly EncryptedRecord[], state: ManifestState): boolean {
  if (state.kind === 'found') return false
  if (state.kind === 'damaged') return rows.length > 0
  return rows.some((row) => row.format !== LEGACY_RECORD_FORMAT)
}

/**
 * The manifest rebuilt from the rows stored now, for a write that finds none (or a damaged one):
 * every format 2 row with its version (format 1 rows stay unlisted, as they are accepted so),
 * nothing known as deleted, and the generation the stored value had (0 when there was none), so
 * that the change on top of it counts one more.
 *
 * @example
 * const base = state.kind === 'found' ? state.manifest : manifestOfStoredRows(rows, manifestGeneration(stored) ?? 0)
 */
export function manifestOfStoredRows(rows: readonly EncryptedRecord[], generation: number): RecordsManifest {
  const versions = new Map<string, number>()
  for (const row of rows) if (row.format !== LEGACY_RECORD_FORMAT) versions.set(row.id, row.version)
  return { generation, versions, deleted: new Set() }
}
