import { queryOptions } from '@tanstack/react-query'
import { appConfig } from '../../platform/config.ts'

// The storage code loads with the first read of the status, not with the app's first screen.
const status = () => import('./status.ts')

/** Automatic backup is on unless the patient turned it off, when the build has a share host. */
export const AUTO_BACKUP_BY_DEFAULT = appConfig.shareHostUrl !== ''

/**
 * Query keys of the online backup. `status` is device-wide and holds no health data (times,
 * counts); `search` holds the sealed bytes of the backup found at the host, for the unlocked
 * session that looked (ciphertext only, and gone at the lock like every private query).
 */
export const backupKeys = {
  all: ['backup'] as const,
  status: () => [...backupKeys.all, 'status'] as const,
  search: (session: number) => [...backupKeys.all, 'search', session] as const,
}

/** The online backup's status (local data: invalidated when it changes, never polled). */
export const backupStatusQueryOptions = () =>
  queryOptions({ queryKey: backupKeys.status(), queryFn: async () => (await status()).readBackupStatus(AUTO_BACKUP_BY_DEFAULT), staleTime: Infinity })
