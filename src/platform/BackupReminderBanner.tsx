import { useState, useSyncExternalStore } from 'react'
import { backupReminder, type BackupReminder, type BackupReminderKind, type BackupReminderStatus } from '../domain/backup/reminder.ts'
import { Button, buttonClassName } from '../ui/Button.tsx'
import { Link } from './router.tsx'

const TITLES: Record<BackupReminderKind, string> = {
  'never-backed-up': 'Back up your records',
  'changes-not-backed-up': 'Your latest changes are not backed up',
  'online-backup-failing': 'Your online backup is not working',
}

/**
 * A reminder to back up (see `backupReminder`), with "Back up now" (the Backup screen) and a
 * button to dismiss it. Its text sits in a polite live region that stays in the page, empty
 * and without height while there is no reminder, so a reminder is announced when it appears.
 *
 * @example
 * const { reminder, dismiss } = useBackupReminder(status)
 * <BackupReminderBanner reminder={reminder} onDismiss={dismiss} />
 */
export function BackupReminderBanner({ reminder, onDismiss }: { reminder: BackupReminder | undefined; onDismiss: () => void }) {
  return (
    <div
      className={
        reminder
          ? 'space-y-3 rounded-lg border border-amber-300 bg-amber-50 p-3 text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-50'
          : ''
      }
    >
      <div role="status" data-testid="backup-reminder">
        {reminder && (
          <p>
            <strong className="block">{TITLES[reminder.kind]}</strong> {reminder.message}
          </p>
        )}
      </div>
      {reminder && (
        <div className="flex flex-wrap gap-2">
          <Link to="/records/backup" className={buttonClassName('primary')}>
            Back up now
          </Link>
          <Button variant="secondary" onClick={onDismiss}>
            Dismiss reminder
          </Button>
        </div>
      )}
    </div>
  )
}

const HOUR_MS = 60 * 60 * 1000

// The time to the hour: reminders count in days, so an hourly tick is precise enough.
function subscribeToHours(listener: () => void) {
  const timer = setInterval(listener, HOUR_MS)
  return () => clearInterval(timer)
}
const currentHour = () => Math.floor(Date.now() / HOUR_MS) * HOUR_MS

/**
 * The reminder to show for this backup status (undefined while the status is not known), and
 * `dismiss`, which hides it until the records change again. The dismissal lasts as long as the
 * component that calls this stays mounted: call it where it lives for the whole unlocked
 * session (the layout), so that a lock forgets it.
 *
 * @example
 * const { reminder, dismiss } = useBackupReminder(useBackupStatus().data)
 */
export function useBackupReminder(status: BackupReminderStatus | undefined): { reminder: BackupReminder | undefined; dismiss: () => void } {
  const [dismissedAt, setDismissedAt] = useState<number>()
  const now = useSyncExternalStore(subscribeToHours, currentHour, currentHour)
  // A dismissal here is newer than any the status carries.
  const reminder = status && backupReminder(now, { ...status, dismissedAt: dismissedAt ?? status.dismissedAt })
  return { reminder, dismiss: () => setDismissedAt(Date.now()) }
}
