import { BackupReminderBanner, useBackupReminder } from '../../platform/BackupReminderBanner.tsx'
import { useBackupStatus } from './hooks.ts'
import { reminderView } from './status.ts'

/**
 * The reminder to back up, shown above every screen of the unlocked wallet when records changed
 * and no backup (online or file) holds them for a while, or the online backup keeps failing.
 */
export function BackupReminder() {
  const status = useBackupStatus().data
  const { reminder, dismiss } = useBackupReminder(status && reminderView(status))
  return <BackupReminderBanner reminder={reminder} onDismiss={dismiss} />
}
