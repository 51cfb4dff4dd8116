/**
 * The online backup: an encrypted copy of the wallet's records, files, consents and shares kept
 * at the share host and updated after changes (the automatic backup, running while the wallet is
 * unlocked), its status, the Backup and storage screen, and restoring from the host after a
 * wallet is restored from its phrase. This door stays light: the scheduler, the host's client and
 * the screens load when first needed.
 */
import { lazy } from 'react'
import type { QueryClient } from '@tanstack/react-query'
import type { WalletKeys } from '../../domain/wallet/keys.ts'
import { AUTO_BACKUP_BY_DEFAULT } from './queries.ts'
import type { BackupStatusForReminder } from './status.ts'

export type { BackupFailure, BackupFailureKind, BackupStatus, BackupStatusForReminder, LastUpload } from './status.ts'
export { useBackupStatus } from './hooks.ts'

const loadScreens = () => import('./screens.ts')

/** '/records/backup': Backup and storage (online backup, backup file, storage, FHIR export). */
export const BackupScreen = lazy(() => loadScreens().then((m) => ({ default: m.BackupScreen })))
/** The reminder to back up, above the unlocked wallet's screens (render it inside a Suspense boundary). */
export const BackupReminder = lazy(() => import('./BackupReminder.tsx').then((m) => ({ default: m.BackupReminder })))
/** '/backup/restore': Restore your records, from the online backup (after a wallet restore). */
export const RestoreRecordsScreen = lazy(() => loadScreens().then((m) => ({ default: m.RestoreRecordsScreen })))

/**
 * Starts the automatic backup of the unlocked wallet (see createAutoBackup in autoBackup.ts): after
 * each local change, and at once for changes not backed up before the unlock. Returns the function
 * that stops it, at the lock.
 *
 * @example
 * useEffect(() => (keys ? startAutoBackup(keys, queryClient) : undefined), [keys, queryClient])
 */
export function startAutoBackup(keys: WalletKeys, queryClient: QueryClient): () => void {
  let stop: (() => void) | undefined
  let stopped = false
  void import('./walletBackup.ts').then((m) => {
    if (!stopped) stop = m.startAutoBackup(keys, queryClient)
  })
  return () => {
    stopped = true
    stop?.()
  }
}

/**
 * What the backup reminder weighs, as stored now: the newest local change and the first not yet
 * backed up online, the newest backup (online upload or exported file), whether automatic backup
 * is on, and since when it has been failing. Times are unix milliseconds.
 *
 * @example
 * const { changedAt, lastBackupAt, autoEnabled } = await backupStatusForReminder()
 */
export async function backupStatusForReminder(): Promise<BackupStatusForReminder> {
  const { readBackupStatus, reminderView } = await import('./status.ts')
  return reminderView(await readBackupStatus(AUTO_BACKUP_BY_DEFAULT))
}
