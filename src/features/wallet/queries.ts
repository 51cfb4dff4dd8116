import { queryOptions } from '@tanstack/react-query'
import { LOCK_SCREEN_META } from '../../platform/privateCaches.ts'
import { hasStoredVault } from '../../storage/vaultRepository.ts'
import { readAutoLockMinutes } from './settings.ts'

export const walletKeys = {
  all: ['wallet'] as const,
  presence: () => [...walletKeys.all, 'presence'] as const,
  autoLock: () => [...walletKeys.all, 'autoLock'] as const,
}

/**
 * Whether a wallet is stored on this device. Local data: invalidated on write, never polled. The
 * lock screen needs it, so a lock keeps it (LOCK_SCREEN_META).
 */
export const walletPresenceQueryOptions = () =>
  queryOptions({
    queryKey: walletKeys.presence(),
    queryFn: async () => ((await hasStoredVault()) ? ('present' as const) : ('absent' as const)),
    staleTime: Infinity,
    retry: false,
    meta: LOCK_SCREEN_META,
  })

export const autoLockQueryOptions = () =>
  queryOptions({ queryKey: walletKeys.autoLock(), queryFn: readAutoLockMinutes, staleTime: Infinity })
