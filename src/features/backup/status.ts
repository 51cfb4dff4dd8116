import type { Hex } from 'viem'
import { z } from 'zod'
import { bytes32Schema } from '../../domain/hex.ts'
import { readLocalChanges, type LocalChanges } from '../../storage/localChanges.ts'
import { readSetting, updateSetting } from '../../storage/settingsRepository.ts'

/*
 * The online backup's state on this device, kept in the settings store (never anything from the
 * records: times, counts, a version number, the SHA-256 of the ciphertext uploaded, and the words
 * of the last failure), read together with the local changes marker (storage/localChanges.ts).
 */

/** The settings key of the online backup's state. */
export const BACKUP_SETTING = 'onlineBackup'

/** Wait this long after a change before uploading, so that a burst of changes makes one upload. */
export const AUTO_BACKUP_DEBOUNCE_MS = 5_000
/** The first retry after a failure that passes by itself (no connection, host busy); each next one waits twice as long… */
export const BACKUP_RETRY_FIRST_MS = 30_000
/** …up to this. */
export const BACKUP_RETRY_MAX_MS = 60 * 60_000
/** Failures are told to the patient only once they have lasted this long; before, the status says it will retry. */
export const BACKUP_FAILURE_NOTICE_MS = 24 * 60 * 60_000

/**
 * How the last upload failed:
 * - `transient`: no connection, a timeout, a busy host, another device uploading at the same
 *   moment; retried with backoff;
 * - `refused`: the host refused (signature, size…); tried again at the next change or unlock;
 * - `other-device`: the host holds a backup this device never restored or made; the patient
 *   decides (restore it, or replace it with Back up now). Told at once.
 */
export type BackupFailureKind = 'transient' | 'refused' | 'other-device'

export type BackupFailure = { message: string; hint: string | undefined; kind: BackupFailureKind }

/** The last version this device uploaded (or restored), as the host described it. */
export type LastUpload = { at: number; version: number; size: number; records: number }

/** The online backup's state, for the screens (pure data). */
export type BackupStatus = {
  /** Back up automatically (on by default when a share host is configured). */
  enabled: boolean
  lastUpload: LastUpload | undefined
  /** When a `.carekey` file was last exported. */
  lastFileExportAt: number | undefined
  /** The newest change of the records, consents or shares on this device. */
  changedAt: number | undefined
  /** The first change not yet in an online backup. */
  unsavedSince: number | undefined
  /** Since when uploads have failed (cleared by the next successful one). */
  failingSince: number | undefined
  lastError: BackupFailure | undefined
}

/** What is stored under BACKUP_SETTING. */
export type BackupSettings = {
  enabled: boolean | undefined
  lastUpload: (LastUpload & { sha256: Hex }) | undefined
  lastFileExportAt: number | undefined
  failingSince: number | undefined
  lastError: BackupFailure | undefined
}

const time = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)
const count = z.int().min(0).max(Number.MAX_SAFE_INTEGER)
const fieldSchemas = {
  enabled: z.boolean(),
  lastUpload: z.object({ at: time, version: count.min(1), size: count, records: count, sha256: bytes32Schema }),
  lastFileExportAt: time,
  failingSince: time,
  lastError: z.object({
    message: z.string().min(1).max(500),
    hint: z.string().max(500).optional(),
    kind: z.enum(['transient', 'refused', 'other-device']),
  }),
}

/**
 * Reads what was stored, field by field: a damaged field is dropped alone (so a patient's choice
 * to turn automatic backup off survives damage elsewhere), anything else stored is ignored.
 *
 * @example
 * parseBackupSettings({ enabled: false, lastUpload: 'garbage' }) // { enabled: false, lastUpload: undefined, … }
 */
export function parseBackupSettings(stored: unknown): BackupSettings {
  const field = <S extends z.ZodType>(name: keyof typeof fieldSchemas, schema: S): z.output<S> | undefined => {
    const value: unknown = typeof stored === 'object' && stored !== null ? Reflect.get(stored, name) : undefined
    const parsed = schema.safeParse(value)
    return parsed.success ? parsed.data : undefined
  }
  const lastError = field('lastError', fieldSchemas.lastError)
  return {
    enabled: field('enabled', fieldSchemas.enabled),
    lastUpload: field('lastUpload', fieldSchemas.lastUpload),
    lastFileExportAt: field('lastFileExportAt', fieldSchemas.lastFileExportAt),
    failingSince: field('failingSince', fieldSchemas.failingSince),
    lastError: lastError && { message: lastError.message, hint: lastError.hint, kind: lastError.kind },
  }
}

/**
 * The status the screens show, from the stored settings and local changes.
 *
 * @example
 * backupStatusOf(parseBackupSettings(undefined), { revision: 0, changedAt: undefined, unsavedSince: undefined }, true).enabled // true
 */
export function backupStatusOf(settings: BackupSettings, changes: LocalChanges, enabledByDefault: boolean): BackupStatus {
  const { lastUpload } = settings
  return {
    enabled: settings.enabled ?? enabledByDefault,
    lastUpload: lastUpload && { at: lastUpload.at, version: lastUpload.version, size: lastUpload.size, records: lastUpload.records },
    lastFileExportAt: settings.lastFileExportAt,
    changedAt: changes.changedAt,
    unsavedSince: changes.unsavedSince,
    failingSince: settings.failingSince,
    lastError: settings.lastError,
  }
}

/**
 * Whether the device holds something the online backup lacks: a change since the last upload, or
 * changes and no upload known at all (after the online copies were deleted). A wallet just
 * restored on a new device has neither, so nothing is uploaded over its backup before the patient
 * chose whether to restore it.
 *
 * @example
 * if (enabled && hasChangesToBackUp(status)) scheduleUpload()
 */
export function hasChangesToBackUp(status: Pick<BackupStatus, 'unsavedSince' | 'changedAt' | 'lastUpload'>): boolean {
  return status.unsavedSince !== undefined || (status.lastUpload === undefined && status.changedAt !== undefined)
}

/** The stored settings. */
export function readBackupSettings(): Promise<BackupSettings> {
  return readSetting(BACKUP_SETTING, parseBackupSettings)
}

/** Changes the stored settings in one transaction (see updateSetting). */
export function updateBackupSettings(change: (current: BackupSettings) => BackupSettings): Promise<BackupSettings> {
  return updateSetting(BACKUP_SETTING, parseBackupSettings, change)
}

/**
 * The online backup's status as stored now.
 *
 * @example
 * const { enabled, lastUpload } = await readBackupStatus(true)
 */
export async function readBackupStatus(enabledByDefault: boolean): Promise<BackupStatus> {
  const [settings, changes] = await Promise.all([readBackupSettings(), readLocalChanges()])
  return backupStatusOf(settings, changes, enabledByDefault)
}

/** What the backup reminder needs to know (see the backup feature's index). */
export type BackupStatusForReminder = {
  changedAt?: number
  unsavedSince?: number
  /** The newest of the last online backup and the last exported file. */
  lastBackupAt?: number
  autoEnabled: boolean
  failingSince?: number
}

/**
 * The reminder's view of a status: only the times it weighs.
 *
 * @example
 * reminderView(status) // { changedAt: 1764770520000, lastBackupAt: 1764684120000, autoEnabled: true }
 */
export function reminderView(status: BackupStatus): BackupStatusForReminder {
  const backups = [status.lastUpload?.at, status.lastFileExportAt].filter((t): t is number => t !== undefined)
  return {
    ...(status.changedAt !== undefined && { changedAt: status.changedAt }),
    ...(status.unsavedSince !== undefined && { unsavedSince: status.unsavedSince }),
    ...(backups.length > 0 && { lastBackupAt: Math.max(...backups) }),
    autoEnabled: status.enabled,
    ...(status.failingSince !== undefined && { failingSince: status.failingSince }),
  }
}
