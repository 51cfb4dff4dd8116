import { queryOptions } from '@tanstack/react-query'
import { hasStoredVault } from '../../storage/vaultRepository.ts'
import { readAutoLockMinutes } from './settings.ts'

export const walletKeys = {
  all: ['wallet'] as const,
  presence: () => [...walletKeys.all, 'presence'] as const,
  autoLock: () => [...walletKeys.all, 'autoLock'] as const,
}

/** Whether a wallet is stored on this device. Local data: invalidated on write, never polled. */
export const walletPresenceQueryOptions = () =>
  queryOptions({
    queryKey: walletKeys.presence(),
    queryFn: async () => ((await hasStoredVault()) ? ('present' as const) : ('absent' as const)),
    staleTime: Infinity,
    retry: false,
  })

export const autoLockQueryOptions = () =>
  queryOptions({ queryKey: walletKeys.autoLock(), queryFn: readAutoLockMinutes, staleTime: Infinity })
