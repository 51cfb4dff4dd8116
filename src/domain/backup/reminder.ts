/**
 * When to remind the patient to back up: records changed on this device and no backup (the
 * online one or an exported file) has held those changes for a while, or the automatic online
 * backup has been failing for more than a day. Pure: the caller passes the time and the status.
 */

const DAY_MS = 24 * 60 * 60 * 1000

/** How long changes may stay in no backup before the patient is reminded. */
export const BACKUP_REMINDER_AFTER_MS = 7 * DAY_MS

/** How long the automatic backup may fail (host unreachable, refused) before the patient is told. */
export const ONLINE_BACKUP_FAILING_AFTER_MS = DAY_MS

/** What the reminder knows about the records and their backups (times in milliseconds since 1970). */
export type BackupReminderStatus = {
  /** When the records last changed on this device (added, edited, deleted, restored). */
  changedAt?: number
  /**
   * When the oldest change that no backup holds yet was made; absent when every change is in a
   * backup. Without it, the last change stands for it when it came after the last backup.
   */
  unsavedSince?: number
  /** When the last backup that held every record was made: online, or a file the patient exported. */
  lastBackupAt?: number
  /** Whether the automatic online backup is on. */
  autoEnabled: boolean
  /** Since when the automatic backup has been failing (the first failure of the current run); absent while it works. */
  failingSince?: number
  /** When the patient last dismissed the reminder: it stays hidden until the records change again. */
  dismissedAt?: number
}

export type BackupReminderKind = 'never-backed-up' | 'changes-not-backed-up' | 'online-backup-failing'

/** A reminder to show: what kind, since when it holds, and what to tell the patient. */
export type BackupReminder = { kind: BackupReminderKind; since: number; message: string }

/**
 * The reminder to show now, or undefined when the records are safe enough: nothing changed, a
 * backup after the last change holds them, or the changes are recent. With the automatic backup
 * on, changes still in no backup after seven days (a device offline all week) are reminded of
 * too, and failures of over a day come first. Thresholds are strict: at exactly seven days (or
 * one day of failures) there is no reminder yet.
 *
 * @example
 * const reminder = backupReminder(Date.now(), { changedAt, unsavedSince, lastBackupAt, autoEnabled: true, failingSince })
 * if (reminder) show(reminder.message)
 */
export function backupReminder(now: number, status: BackupReminderStatus): BackupReminder | undefined {
  const since = oldestUnsavedChange(status)
  if (since === undefined) return undefined
  const lastChange = status.changedAt ?? since
  if (status.dismissedAt !== undefined && status.dismissedAt >= lastChange) return undefined

  const { failingSince } = status
  if (status.autoEnabled && failingSince !== undefined && now - failingSince > ONLINE_BACKUP_FAILING_AFTER_MS) {
    return {
      kind: 'online-backup-failing',
      since: failingSince,
      message: `Your online backup has not worked for ${days(now - failingSince)}, so your latest changes are only on this device.`,
    }
  }
  if (now - since <= BACKUP_REMINDER_AFTER_MS) return undefined
  if (status.lastBackupAt === undefined) {
    return {
      kind: 'never-backed-up',
      since,
      message: 'Your records are not in any backup yet. If this device is lost or this browser’s data is cleared, they are lost with it.',
    }
  }
  return {
    kind: 'changes-not-backed-up',
    since,
    message: `Changes to your records from ${days(now - since)} ago are not in any backup yet. Your last backup is from ${days(now - status.lastBackupAt)} ago.`,
  }
}

/** When the oldest change that no backup holds was made, or undefined when there is none. */
function oldestUnsavedChange({ changedAt, unsavedSince, lastBackupAt }: BackupReminderStatus): number | undefined {
  // A backup is a copy of every record: one made after the last change holds them all.
  if (changedAt !== undefined && lastBackupAt !== undefined && lastBackupAt >= changedAt) return undefined
  return unsavedSince ?? changedAt
}

function days(ms: number): string {
  const n = Math.max(1, Math.floor(ms / DAY_MS))
  return n === 1 ? '1 day' : `${n} days`
}
