import { z } from 'zod'
import { readSetting, updateSetting } from './settingsRepository.ts'

/*
 * What changed on this device since the last online backup. Every repository that writes data
 * the backup carries (records and attachments, consents, shares, and a restore of them) calls
 * noteLocalChange once its write has succeeded; settings, the vault and the last known chain
 * reads are not backed up and do not. Only times and a counter are kept, never what changed.
 */

/** The settings key of the local changes marker. */
export const LOCAL_CHANGES_SETTING = 'localChanges'

/** What the device knows about its changes. */
export type LocalChanges = {
  /** Goes up by one with every change; a backup made from a snapshot remembers the revision it saw. */
  revision: number
  /** Unix milliseconds of the newest change. */
  changedAt: number | undefined
  /** Unix milliseconds of the first change not yet in an online backup; undefined when all are. */
  unsavedSince: number | undefined
}

const time = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)
const revision = z.int().min(0).max(Number.MAX_SAFE_INTEGER)

/**
 * Reads the stored marker; anything malformed (written by hand, damaged) counts as unknown, and
 * a change not known to be backed up counts as unsaved.
 *
 * @example
 * parseLocalChanges({ revision: 3, changedAt: 1764770520000 }) // { revision: 3, changedAt: 1764770520000, unsavedSince: undefined }
 */
export function parseLocalChanges(stored: unknown): LocalChanges {
  const field = (name: string): unknown => (typeof stored === 'object' && stored !== null ? Reflect.get(stored, name) : undefined)
  const changedAt = time.safeParse(field('changedAt'))
  const unsavedSince = time.safeParse(field('unsavedSince'))
  const rev = revision.safeParse(field('revision'))
  return {
    revision: rev.success ? rev.data : 0,
    changedAt: changedAt.success ? changedAt.data : undefined,
    unsavedSince: unsavedSince.success ? unsavedSince.data : undefined,
  }
}

const listeners = new Set<() => void>()

/**
 * Notes that backed-up data was just written on this device: keeps the time of the newest change
 * and of the first one not yet backed up, then tells the listeners (the automatic backup). Never
 * throws: the write it follows has succeeded, and must not look failed because of its note.
 *
 * @example
 * await writeRecordsChange({ putRecords: [row] }, keys.manifest) // notes the change itself
 */
export async function noteLocalChange(now: number = Date.now()): Promise<void> {
  try {
    await updateSetting(LOCAL_CHANGES_SETTING, parseLocalChanges, (current) => ({
      revision: current.revision + 1,
      changedAt: Math.max(now, current.changedAt ?? 0),
      unsavedSince: current.unsavedSince ?? now,
    }))
  } catch {
    // The data is stored; without its note the backup still runs (the listeners below hear of
    // the change), only the dates shown and the reminder lag until the next change is noted.
  }
  for (const listener of listeners) listener()
}

/**
 * The marker as stored now.
 *
 * @example
 * const { unsavedSince } = await readLocalChanges()
 */
export function readLocalChanges(): Promise<LocalChanges> {
  return readSetting(LOCAL_CHANGES_SETTING, parseLocalChanges)
}

/**
 * Records that a backup holding every change up to `revision` (read before the backup's data
 * was) is safely stored: unsaved-since is cleared, unless a change was noted since then, which
 * keeps it set (that change may not be in the backup). Returns whether it was cleared.
 *
 * @example
 * const { revision } = await readLocalChanges()
 * const bytes = await buildBackupBytes()
 * await uploadBackup(…, bytes, …)
 * await markBackedUp(revision)
 */
export async function markBackedUp(revision: number): Promise<boolean> {
  const next = await updateSetting(LOCAL_CHANGES_SETTING, parseLocalChanges, (current) =>
    current.revision === revision ? { ...current, unsavedSince: undefined } : current,
  )
  return next.unsavedSince === undefined
}

/**
 * Calls `listener` after each change noted in this tab. Returns the function that stops it.
 *
 * @example
 * const stop = onLocalChange(() => scheduleBackup())
 */
export function onLocalChange(listener: () => void): () => void {
  listeners.add(listener)
  return () => void listeners.delete(listener)
}
