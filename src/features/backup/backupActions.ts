import { NO_PREVIOUS_BACKUP, type BackupVersion } from '../../domain/backup/hostBackup.ts'
import { CareKeyError } from '../../domain/errors.ts'
import { BackupDamagedError, BackupFromAnotherWalletError, BackupTruncatedError, NotABackupError } from '../../domain/records/backup.ts'
import { WalletLockedError } from '../../domain/wallet/errors.ts'
import {
  BackupConflictError,
  BackupDownloadDamagedError,
  deleteBackups,
  downloadBackup,
  isTransientBackupFailure,
  listBackups,
  uploadBackup,
  type BackupHostTarget,
  type BackupSigner,
} from '../../shareHost/backups.ts'
import { markBackedUp, readLocalChanges } from '../../storage/localChanges.ts'
import type { BackupSummary, BuiltBackup, RestoreSummary } from '../records/index.ts'
import { readBackupSettings, updateBackupSettings, type BackupFailure } from './status.ts'

/**
 * The online backup's workflows, as plain async functions (the scheduler and the hooks call
 * them): upload, find and restore, delete, and the settings the patient changes. One of them
 * runs at a time on this tab, so an upload never races a restore or a deletion.
 */

/** What the workflows need: the host, the wallet's backup key, and the records' backup file. */
export type BackupContext = {
  host: BackupHostTarget
  /** The wallet's backup signing key (`backupSignerKey(keys.root)`). */
  signer: () => Promise<BackupSigner>
  /** The sealed backup of everything stored (the records feature's buildBackupBytes). */
  buildBackup: () => Promise<BuiltBackup>
  /** What a backup holds, read with the wallet's backup key (the records feature's readBackupSummary). */
  readSummary: (bytes: Uint8Array) => Promise<BackupSummary>
  /** Restores a backup's bytes, merging (the records feature's restoreBackup). */
  restore: (bytes: Uint8Array) => Promise<RestoreSummary>
  /** Unix milliseconds; Date.now by default. */
  now?: () => number
}

/**
 * The host holds a backup this device neither made nor restored (it was made on another device,
 * or before this one was set up). Uploading would put this device's records in its place, so the
 * automatic backup stops and asks.
 */
export class UnrestoredOnlineBackupError extends CareKeyError {
  readonly latest: BackupVersion

  constructor(latest: BackupVersion) {
    super(
      'There is already an online backup of this wallet, made on another device, that this device has not restored.',
      'Restore it first to keep its records (Restore your records), or choose Back up now to replace it with the records on this device.',
    )
    this.latest = latest
  }
}

let queue: Promise<unknown> = Promise.resolve()

/** Runs `work` after every workflow already started on this tab. */
function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
  const run = queue.then(work)
  queue = run.catch(() => undefined)
  return run
}

/** What an upload stored. */
export type UploadResult = { version: BackupVersion; records: number }

/**
 * Uploads the wallet's backup over the newest version this device knows. If another device
 * uploaded meanwhile (409), merges that newest version into this device first (as a restore:
 * without duplicates), then uploads once more over it: the older versions stay at the host. Unless `replaceUnrestored`, a backup this device never knew (another device's, found
 * with no upload of its own) is not replaced: UnrestoredOnlineBackupError. On success the changes
 * read before the backup was built are marked backed up (a change made during the upload keeps
 * unsaved-since set); on failure, when and why it failed is kept.
 *
 * @example
 * const { version } = await uploadOnlineBackup(context)
 */
export function uploadOnlineBackup(context: BackupContext, options: { replaceUnrestored?: boolean } = {}): Promise<UploadResult> {
  const now = context.now ?? Date.now
  return oneAtATime(async () => {
    try {
      // Read before the backup's data: a change noted after this may not be in it.
      let { revision } = await readLocalChanges()
      const settings = await readBackupSettings()
      let built = await context.buildBackup()
      const signer = await context.signer()
      const previous = settings.lastUpload?.sha256 ?? NO_PREVIOUS_BACKUP
      let version: BackupVersion
      try {
        version = await uploadBackup(context.host, signer, built.bytes, previous)
      } catch (error) {
        if (!(error instanceof BackupConflictError)) throw error
        if (previous === NO_PREVIOUS_BACKUP && error.latest && !options.replaceUnrestored) throw new UnrestoredOnlineBackupError(error.latest)
        if (previous !== NO_PREVIOUS_BACKUP && error.latest) {
          // Another device of this wallet uploaded since this one last did. What it holds comes in
          // first, merged without duplicates as a restore is, so that neither device's records,
          // consents or shares drop out of the backup when the older versions are pruned.
          await context.restore(await downloadBackup(context.host, signer, error.latest))
          ;({ revision } = await readLocalChanges())
          built = await context.buildBackup()
        }
        version = await uploadBackup(context.host, signer, built.bytes, error.latest?.sha256 ?? NO_PREVIOUS_BACKUP)
      }
      await updateBackupSettings((s) => ({
        ...s,
        lastUpload: { at: now(), version: version.version, size: version.size, records: built.records, sha256: version.sha256 },
        failingSince: undefined,
        lastError: undefined,
      }))
      await markBackedUp(revision)
      return { version, records: built.records }
    } catch (error) {
      // A lock in the middle is not a failure of the backup.
      if (!context.host.signal?.aborted && !(error instanceof WalletLockedError)) {
        const failure = failureOf(error)
        await updateBackupSettings((s) => ({ ...s, failingSince: s.failingSince ?? now(), lastError: failure }))
      }
      throw error
    }
  })
}

/**
 * True for an upload's failures that pass by themselves: the host out of reach, slow or busy, or
 * other devices of the wallet uploading at the same moment (a conflict left after the one retry).
 * The automatic backup tries again later, and the status says so.
 *
 * @example
 * if (isPassingUploadFailure(error)) scheduleRetry()
 */
export function isPassingUploadFailure(error: unknown): boolean {
  return isTransientBackupFailure(error) || error instanceof BackupConflictError
}

function failureOf(error: unknown): BackupFailure {
  const kind = error instanceof UnrestoredOnlineBackupError ? 'other-device' : isPassingUploadFailure(error) ? 'transient' : 'refused'
  if (error instanceof CareKeyError) return { message: error.userMessage, hint: error.hint, kind }
  return { message: 'CareKey could not make the online backup because of an unexpected error.', hint: 'Reload the page. If it keeps happening, export a backup file.', kind }
}

/** What the host holds for this wallet, ready to restore. */
export type OnlineBackupSearch =
  | { found: false }
  | {
      found: true
      /** The newest version, as the host lists it. */
      version: BackupVersion
      /** When it was made and what it holds, read from the backup itself. */
      summary: BackupSummary
      /** Its bytes (sealed, as uploaded), checked against the host's SHA-256. */
      bytes: Uint8Array<ArrayBuffer>
      /** Newer versions passed over because they were damaged (0: this is the newest). */
      newerDamaged: number
    }

/**
 * Looks for this wallet's online backup: lists the versions, downloads the newest and opens it
 * with the wallet's backup key to tell when it was made and what it holds; when that copy is
 * damaged, the next older one, and so on (throwing the newest one's damage when none is whole).
 * Nothing is written.
 * Throws the client's errors (unreachable…) and the backup's (another wallet's, damaged…).
 *
 * @example
 * const search = await findOnlineBackup(context)
 * if (search.found) console.info(search.summary.records)
 */
export async function findOnlineBackup(context: BackupContext): Promise<OnlineBackupSearch> {
  const signer = await context.signer()
  const versions = (await listBackups(context.host, signer)).versions
  if (versions.length === 0) return { found: false }
  let firstDamage: unknown
  for (const [skipped, version] of versions.entries()) {
    try {
      const bytes = await downloadBackup(context.host, signer, version)
      return { found: true, version, summary: await context.readSummary(bytes), bytes, newerDamaged: skipped }
    } catch (error) {
      // A damaged copy (changed at the host, cut short, not this wallet's): the next older one may be whole.
      if (!isDamagedCopy(error)) throw error
      firstDamage ??= error
    }
  }
  throw firstDamage
}

function isDamagedCopy(error: unknown): boolean {
  return [BackupDownloadDamagedError, BackupDamagedError, BackupTruncatedError, NotABackupError, BackupFromAnotherWalletError].some((type) => error instanceof type)
}

/**
 * Restores a found online backup into the wallet, merged without duplicates as a backup file is
 * (consents and shares included), and remembers it as the newest version this device knows, so
 * that the next upload replaces it rather than stopping as for an unknown backup.
 *
 * @example
 * const { restored } = await restoreOnlineBackup(context, search)
 */
export function restoreOnlineBackup(
  context: BackupContext,
  found: { version: BackupVersion; summary: BackupSummary; bytes: Uint8Array },
): Promise<RestoreSummary> {
  return oneAtATime(async () => {
    const restored = await context.restore(found.bytes)
    const { version, size, sha256, createdAt } = found.version
    await updateBackupSettings((s) => ({
      ...s,
      lastUpload: { at: Date.parse(createdAt), version, size, records: found.summary.records, sha256 },
      failingSince: undefined,
      lastError: undefined,
    }))
    return restored
  })
}

/**
 * Deletes every copy of this wallet's backup at the host (the records on this device stay) and
 * turns automatic backup off, so that the next change does not upload a new one. Returns how many
 * versions were deleted.
 *
 * @example
 * const { deleted } = await deleteOnlineBackups(context)
 */
export function deleteOnlineBackups(context: BackupContext): Promise<{ deleted: number }> {
  return oneAtATime(async () => {
    const result = await deleteBackups(context.host, await context.signer())
    await updateBackupSettings((s) => ({ ...s, enabled: false, lastUpload: undefined, failingSince: undefined, lastError: undefined }))
    return result
  })
}

/**
 * Turns automatic backup on or off (the scheduler is told by the caller).
 *
 * @example
 * await setAutoBackupEnabled(false)
 */
export async function setAutoBackupEnabled(enabled: boolean): Promise<void> {
  await updateBackupSettings((s) => ({ ...s, enabled }))
}

/**
 * Remembers that a `.carekey` file was just exported (for the reminder: a file is a backup too).
 *
 * @example
 * await noteBackupFileExported()
 */
export async function noteBackupFileExported(at: number = Date.now()): Promise<void> {
  await updateBackupSettings((s) => ({ ...s, lastFileExportAt: at }))
}
