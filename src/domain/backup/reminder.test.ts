import { describe, expect, it } from 'vitest'
import { BACKUP_REMINDER_AFTER_MS, backupReminder, ONLINE_BACKUP_FAILING_AFTER_MS, type BackupReminderStatus } from './reminder.ts'

const DAY = 24 * 60 * 60 * 1000
const NOW = Date.UTC(2025, 5, 1, 12)
const ago = (ms: number) => NOW - ms
const manual = (status: Omit<BackupReminderStatus, 'autoEnabled'>): BackupReminderStatus => ({ autoEnabled: false, ...status })
const automatic = (status: Omit<BackupReminderStatus, 'autoEnabled'>): BackupReminderStatus => ({ autoEnabled: true, ...status })

describe('the backup reminder', () => {
  it('says nothing while the records never changed (an empty wallet has nothing to lose)', () => {
    expect(backupReminder(NOW, manual({}))).toBeUndefined()
    expect(backupReminder(NOW, automatic({ failingSince: ago(30 * DAY) }))).toBeUndefined()
  })

  describe('without automatic backup', () => {
    it('reminds that the records were never backed up once they changed more than seven days ago', () => {
      const reminder = backupReminder(NOW, manual({ changedAt: ago(BACKUP_REMINDER_AFTER_MS + 1) }))
      expect(reminder).toEqual({
        kind: 'never-backed-up',
        since: ago(BACKUP_REMINDER_AFTER_MS + 1),
        message: 'Your records are not in any backup yet. If this device is lost or this browser’s data is cleared, they are lost with it.',
      })
    })

    it('waits until the changes are strictly older than seven days', () => {
      expect(backupReminder(NOW, manual({ changedAt: ago(BACKUP_REMINDER_AFTER_MS) }))).toBeUndefined()
      expect(backupReminder(NOW, manual({ changedAt: ago(BACKUP_REMINDER_AFTER_MS - 1) }))).toBeUndefined()
      expect(backupReminder(NOW, manual({ changedAt: ago(DAY) }))).toBeUndefined()
      expect(backupReminder(NOW, manual({ changedAt: NOW }))).toBeUndefined()
    })

    it('counts from the oldest change not in a backup, not from the latest one', () => {
      const reminder = backupReminder(NOW, manual({ changedAt: ago(DAY), unsavedSince: ago(9 * DAY), lastBackupAt: ago(10 * DAY) }))
      expect(reminder?.kind).toBe('changes-not-backed-up')
      expect(reminder?.since).toBe(ago(9 * DAY))
      expect(reminder?.message).toBe('Changes to your records from 9 days ago are not in any backup yet. Your last backup is from 10 days ago.')
    })

    it('judges from the last change when the oldest unsaved one is not known', () => {
      expect(backupReminder(NOW, manual({ changedAt: ago(8 * DAY), lastBackupAt: ago(20 * DAY) }))).toMatchObject({
        kind: 'changes-not-backed-up',
        since: ago(8 * DAY),
      })
      expect(backupReminder(NOW, manual({ changedAt: ago(6 * DAY), lastBackupAt: ago(20 * DAY) }))).toBeUndefined()
    })

    it('says nothing when a backup (a file or the online one) was made after the last change', () => {
      expect(backupReminder(NOW, manual({ changedAt: ago(30 * DAY), lastBackupAt: ago(29 * DAY) }))).toBeUndefined()
      expect(backupReminder(NOW, manual({ changedAt: ago(30 * DAY), lastBackupAt: ago(30 * DAY) }))).toBeUndefined()
      // Even if the tracker still remembered an older unsaved change: the newer backup holds every record.
      expect(backupReminder(NOW, manual({ changedAt: ago(30 * DAY), unsavedSince: ago(40 * DAY), lastBackupAt: ago(2 * DAY) }))).toBeUndefined()
    })

    it('reminds again when records change after the last backup, once those changes are old', () => {
      expect(backupReminder(NOW, manual({ changedAt: ago(8 * DAY), unsavedSince: ago(8 * DAY), lastBackupAt: ago(8 * DAY + 1) }))?.kind).toBe(
        'changes-not-backed-up',
      )
    })

    it('ignores a failing automatic backup that is turned off', () => {
      expect(backupReminder(NOW, manual({ changedAt: ago(2 * DAY), failingSince: ago(5 * DAY), lastBackupAt: ago(6 * DAY) }))).toBeUndefined()
    })
  })

  describe('with automatic backup', () => {
    it('says nothing while it works, however the records change', () => {
      expect(backupReminder(NOW, automatic({ changedAt: NOW, unsavedSince: ago(60_000), lastBackupAt: ago(DAY) }))).toBeUndefined()
      expect(backupReminder(NOW, automatic({ changedAt: ago(3 * DAY), lastBackupAt: ago(3 * DAY) + 5_000 }))).toBeUndefined()
      expect(backupReminder(NOW, automatic({ changedAt: ago(2 * DAY), unsavedSince: ago(2 * DAY) }))).toBeUndefined()
    })

    it('says nothing while it has failed for a day or less (a retry may well work)', () => {
      const status = { changedAt: ago(2 * DAY), unsavedSince: ago(2 * DAY), lastBackupAt: ago(3 * DAY) }
      expect(backupReminder(NOW, automatic({ ...status, failingSince: ago(ONLINE_BACKUP_FAILING_AFTER_MS) }))).toBeUndefined()
      expect(backupReminder(NOW, automatic({ ...status, failingSince: ago(60_000) }))).toBeUndefined()
    })

    it('says the online backup is failing once it has failed for over a day', () => {
      const reminder = backupReminder(
        NOW,
        automatic({ changedAt: ago(2 * DAY), unsavedSince: ago(2 * DAY), lastBackupAt: ago(3 * DAY), failingSince: ago(ONLINE_BACKUP_FAILING_AFTER_MS + 1) }),
      )
      expect(reminder).toEqual({
        kind: 'online-backup-failing',
        since: ago(ONLINE_BACKUP_FAILING_AFTER_MS + 1),
        message: 'Your online backup has not worked for 1 day, so your latest changes are only on this device.',
      })
      expect(backupReminder(NOW, automatic({ changedAt: ago(DAY), failingSince: ago(4 * DAY) }))?.message).toMatch(/not worked for 4 days,/)
    })

    it('puts the failing online backup first, even when the changes are also old', () => {
      expect(backupReminder(NOW, automatic({ changedAt: ago(10 * DAY), failingSince: ago(10 * DAY) }))?.kind).toBe('online-backup-failing')
    })

    it('says nothing of failures when a file backup made since holds every change', () => {
      expect(backupReminder(NOW, automatic({ changedAt: ago(3 * DAY), lastBackupAt: ago(2 * DAY), failingSince: ago(5 * DAY) }))).toBeUndefined()
    })

    it('reminds when changes waited more than seven days for an upload that never failed (offline all along)', () => {
      expect(backupReminder(NOW, automatic({ changedAt: ago(8 * DAY), unsavedSince: ago(8 * DAY), lastBackupAt: ago(9 * DAY) }))?.kind).toBe(
        'changes-not-backed-up',
      )
      expect(backupReminder(NOW, automatic({ changedAt: ago(8 * DAY) }))?.kind).toBe('never-backed-up')
    })
  })

  describe('once dismissed', () => {
    it('stays hidden until the records change again', () => {
      const status = manual({ changedAt: ago(10 * DAY), lastBackupAt: ago(20 * DAY) })
      expect(backupReminder(NOW, { ...status, dismissedAt: ago(DAY) })).toBeUndefined()
      expect(backupReminder(NOW, { ...status, dismissedAt: ago(10 * DAY) })).toBeUndefined()
      // A change after the dismissal brings it back, still counted from the oldest unsaved change.
      const changedAgain = { ...status, changedAt: ago(DAY - 1), unsavedSince: ago(10 * DAY), dismissedAt: ago(DAY) }
      expect(backupReminder(NOW, changedAgain)).toMatchObject({ kind: 'changes-not-backed-up', since: ago(10 * DAY) })
    })

    it('hides a failing online backup too, until the next change', () => {
      const status = automatic({ changedAt: ago(3 * DAY), failingSince: ago(2 * DAY) })
      expect(backupReminder(NOW, { ...status, dismissedAt: ago(DAY) })).toBeUndefined()
      expect(backupReminder(NOW, { ...status, changedAt: ago(DAY / 2), unsavedSince: ago(3 * DAY), dismissedAt: ago(DAY) })?.kind).toBe(
        'online-backup-failing',
      )
    })

    it('compares with the oldest unsaved change when the last one is not known', () => {
      const status = manual({ unsavedSince: ago(9 * DAY) })
      expect(backupReminder(NOW, status)?.kind).toBe('never-backed-up')
      expect(backupReminder(NOW, { ...status, dismissedAt: ago(9 * DAY) })).toBeUndefined()
      expect(backupReminder(NOW, { ...status, dismissedAt: ago(9 * DAY + 1) })?.kind).toBe('never-backed-up')
    })
  })
})
