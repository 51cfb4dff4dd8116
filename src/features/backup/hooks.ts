import { useSyncExternalStore } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { WalletLockedError } from '../../domain/wallet/errors.ts'
import type { WalletKeys } from '../../domain/wallet/keys.ts'
import { recordKeys } from '../records/index.ts'
import { useSessionScope, useWalletKeys } from '../wallet/index.ts'
import { autoBackupActivity, subscribeAutoBackupActivity } from './activity.ts'
import type { AutoBackupActivity } from './autoBackup.ts'
import type { OnlineBackupSearch } from './backupActions.ts'
import { backupKeys, backupStatusQueryOptions } from './queries.ts'

// The workflows and the host's client load with the first of them used, not with the app's first screen.
const actions = () => import('./backupActions.ts')
const wallet = () => import('./walletBackup.ts')

/**
 * The online backup's status (BackupStatus): whether it is on, the last upload, the last file
 * exported, changes not backed up yet, failures. Refreshed as the automatic backup works.
 *
 * @example
 * const { data: status } = useBackupStatus()
 * status?.lastUpload?.at
 */
export function useBackupStatus() {
  return useQuery(backupStatusQueryOptions())
}

/** What the automatic backup is doing right now (uploading, waiting for a connection…). */
export function useAutoBackupActivity(): AutoBackupActivity {
  return useSyncExternalStore(subscribeAutoBackupActivity, autoBackupActivity, () => 'idle')
}

function useUnlockedKeys(): () => WalletKeys {
  const keys = useWalletKeys()
  return () => {
    if (!keys) throw new WalletLockedError()
    return keys
  }
}

function useRefreshStatus() {
  const queryClient = useQueryClient()
  return () => queryClient.invalidateQueries({ queryKey: backupKeys.status() })
}

/** Backs up now (Back up now): the result, or the failure at once. */
export function useBackUpNow() {
  const keys = useUnlockedKeys()
  return useMutation({ mutationFn: async () => (await wallet()).backUpNow(keys()), onSettled: useRefreshStatus() })
}

/** Turns automatic backup on or off: `mutate(enabled)`. */
export function useSetAutoBackup() {
  return useMutation({
    mutationFn: async (enabled: boolean) => {
      await (await actions()).setAutoBackupEnabled(enabled)
      ;(await wallet()).refreshAutoBackup()
    },
    onSettled: useRefreshStatus(),
  })
}

/** Deletes every copy at the host and turns automatic backup off. */
export function useDeleteOnlineBackups() {
  const keys = useUnlockedKeys()
  return useMutation({
    mutationFn: async () => {
      const [{ deleteOnlineBackups }, { backupContextFor }] = await Promise.all([actions(), wallet()])
      return deleteOnlineBackups(backupContextFor(keys()))
    },
    onSettled: useRefreshStatus(),
  })
}

/** Remembers that a backup file was just exported. */
export function useNoteBackupFileExported() {
  return useMutation({ mutationFn: async () => (await actions()).noteBackupFileExported(), onSettled: useRefreshStatus() })
}

/**
 * Looks for this wallet's online backup once per screen (no retries; "Try again" refetches): the
 * newest version, downloaded and checked, with when it was made and what it holds.
 */
export function useOnlineBackupSearch() {
  const keys = useUnlockedKeys()
  return useQuery({
    queryKey: backupKeys.search(useSessionScope()),
    queryFn: async () => {
      const [{ findOnlineBackup }, { backupContextFor }] = await Promise.all([actions(), wallet()])
      return findOnlineBackup(backupContextFor(keys()))
    },
    staleTime: Infinity,
    gcTime: 0,
    retry: false,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  })
}

/** Restores the backup found (merged without duplicates); the records and the status are refreshed. */
export function useRestoreOnlineBackup(search: OnlineBackupSearch | undefined) {
  const keys = useUnlockedKeys()
  const queryClient = useQueryClient()
  const refreshStatus = useRefreshStatus()
  return useMutation({
    mutationFn: async () => {
      if (!search?.found) throw new Error('useRestoreOnlineBackup: there is no backup to restore')
      const [{ restoreOnlineBackup }, { backupContextFor }] = await Promise.all([actions(), wallet()])
      return restoreOnlineBackup(backupContextFor(keys()), search)
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: recordKeys.all }),
    onSettled: refreshStatus,
  })
}
