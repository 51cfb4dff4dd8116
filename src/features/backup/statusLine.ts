import { momentText } from '../../domain/dateText.ts'
import type { AutoBackupActivity } from './autoBackup.ts'
import { BACKUP_FAILURE_NOTICE_MS, hasChangesToBackUp, type BackupStatus } from './status.ts'

/** The online backup's status in words, as the Backup screen shows it. */
export type BackupStatusLine = {
  tone: 'neutral' | 'success' | 'warning' | 'error'
  text: string
  /** A second sentence: what else is true, or what to do. */
  detail?: string
  /** Offer the way to restore the backup found at the host. */
  offerRestore?: boolean
}

/**
 * A moment as a date and time, written as the record timeline and the consent screens write it.
 *
 * @example
 * dateTimeText(Date.UTC(2026, 11, 3, 14, 2)) // '3 Dec 2026, 14:02' (in UTC)
 */
export function dateTimeText(ms: number): string {
  return momentText(ms)
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`

/**
 * What to tell the patient about their online backup. A failure is told only once it has lasted
 * BACKUP_FAILURE_NOTICE_MS (until then: "will retry"), except a backup from another device,
 * which needs their choice at once.
 *
 * @example
 * backupStatusLine(status, { activity: 'idle', online: true, now: Date.now() }).text // 'Last backup: 3 Dec 2026, 14:02 · 12 records'
 */
export function backupStatusLine(
  status: BackupStatus,
  { activity, online, now, time = dateTimeText }: { activity: AutoBackupActivity; online: boolean; now: number; time?: (ms: number) => string },
): BackupStatusLine {
  const { lastUpload, lastError, failingSince } = status
  const last = lastUpload ? `Last backup: ${time(lastUpload.at)} · ${plural(lastUpload.records, 'record', 'records')}` : 'No online backup yet'
  const pending = hasChangesToBackUp(status)

  if (activity === 'uploading') return { tone: 'neutral', text: 'Backing up…', ...(lastUpload && { detail: last }) }
  if (lastError?.kind === 'other-device') {
    return { tone: 'warning', text: lastError.message, ...(lastError.hint && { detail: lastError.hint }), offerRestore: true }
  }
  if (failingSince !== undefined && now - failingSince >= BACKUP_FAILURE_NOTICE_MS) {
    return {
      tone: 'error',
      text: `Online backup has not worked since ${time(failingSince)}.${lastError ? ` ${lastError.message}` : ''}`,
      detail: `${lastError?.hint ?? 'Check the connection.'} Until it works again, export a backup file below to keep a copy.`,
    }
  }
  if (!status.enabled) return { tone: 'neutral', text: 'Automatic backup is off.', ...(lastUpload && { detail: `${last}.` }) }
  if ((pending && !online) || activity === 'waiting-for-connection') {
    return { tone: 'neutral', text: 'Waiting for a connection', detail: `${last}. Your latest changes will be backed up when this device is online again.` }
  }
  if (pending && failingSince !== undefined) {
    return { tone: 'neutral', text: last, detail: 'Your latest changes are not backed up yet: CareKey will retry.' }
  }
  if (pending) return { tone: 'neutral', text: last, detail: 'Your latest changes will be backed up in a moment.' }
  return { tone: lastUpload ? 'success' : 'neutral', text: last }
}
