import { useEffect, useSyncExternalStore } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { RecoveryPhrase } from '../../domain/wallet/mnemonic.ts'
import type { WalletKeys } from '../../domain/wallet/keys.ts'
import { usePrivateMutation } from '../../platform/privateMutation.ts'
import { wipePrivateCaches } from '../../platform/privateCaches.ts'
import { keyring, lockWallet } from './keyring.ts'
import { sessionScope } from './session.ts'
import { autoLockQueryOptions, walletKeys, walletPresenceQueryOptions } from './queries.ts'
import { writeAutoLockMinutes, type AutoLockMinutes } from './settings.ts'

/**
 * The wallet's workflows (vault, recovery phrase words, key derivation), loaded when a wallet
 * screen asks for them: the clinician's screens, which share the app's first chunk, never do.
 */
const walletActions = () => import('./walletActions.ts')

/** Starts loading the workflows while the patient types, so the first tap does not wait for them. */
function usePreloadWalletActions() {
  useEffect(() => {
    void walletActions()
  }, [])
}

/** The unlocked wallet's keys, or undefined while locked. */
export function useWalletKeys(): WalletKeys | undefined {
  return useSyncExternalStore(keyring.subscribe, keyring.get, keyring.get)
}

/** The unlocked session's scope for query keys (see sessionScope): changes at every unlock and lock. */
export function useSessionScope(): number {
  return sessionScope(useWalletKeys())
}

export const useWalletPresence = () => useQuery(walletPresenceQueryOptions())

/**
 * Encrypts and stores a new or restored wallet (storeNewWallet): `mutate(passphrase)`. The
 * phrase is held by the closure and the passphrase by usePrivateMutation: neither is ever a
 * mutation's variables in the query cache.
 */
export function useStoreNewWallet(phrase: RecoveryPhrase) {
  const queryClient = useQueryClient()
  usePreloadWalletActions()
  return usePrivateMutation({
    mutationFn: async (passphrase: string) => (await walletActions()).storeNewWallet(phrase, passphrase),
    onSettled: () => queryClient.invalidateQueries({ queryKey: walletKeys.all }),
  })
}

/** Unlocks the stored wallet (unlockWallet): `mutate(passphrase)`, the passphrase never in the query cache. */
export function useUnlockWallet() {
  usePreloadWalletActions()
  return usePrivateMutation({ mutationFn: async (passphrase: string) => (await walletActions()).unlockWallet(passphrase) })
}

/** Re-encrypts the phrase under a new passphrase: `mutate({ current, next })`, neither in the query cache. */
export function useChangePassphrase() {
  usePreloadWalletActions()
  return usePrivateMutation({
    mutationFn: async ({ current, next }: { current: string; next: string }) => (await walletActions()).changePassphrase(current, next),
  })
}

export function useRemoveWallet() {
  const queryClient = useQueryClient()
  usePreloadWalletActions()
  return useMutation({
    mutationFn: async () => (await walletActions()).removeWallet(),
    // Every cached query and mutation may hold data of the removed wallet (a wallet removed
    // while locked was wiped at the lock already); the lock screen's own queries start afresh.
    onSuccess: () => {
      wipePrivateCaches(queryClient)
      return queryClient.resetQueries()
    },
  })
}

export const useAutoLockMinutes = () => useQuery(autoLockQueryOptions())

export function useSetAutoLockMinutes() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (minutes: AutoLockMinutes) => writeAutoLockMinutes(minutes),
    onSuccess: (_void, minutes) => queryClient.setQueryData(walletKeys.autoLock(), minutes),
  })
}

const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'wheel', 'touchstart', 'scroll'] as const

/**
 * Locks the wallet after `minutes` without interaction. A hidden tab keeps counting (timers
 * may be throttled, so the deadline is checked against the clock when the tab comes back).
 */
export function useAutoLock(minutes: number | undefined): void {
  useEffect(() => {
    if (minutes === undefined) return
    const limit = minutes * 60_000
    let lastActivity = Date.now()
    let timer: ReturnType<typeof setTimeout> | undefined
    const check = () => {
      const idle = Date.now() - lastActivity
      if (idle >= limit) lockWallet()
      else timer = setTimeout(check, limit - idle)
    }
    const onActivity = () => {
      lastActivity = Date.now()
    }
    const onVisible = () => {
      if (document.visibilityState === 'visible') check()
    }
    timer = setTimeout(check, limit)
    for (const e of ACTIVITY_EVENTS) window.addEventListener(e, onActivity, { passive: true, capture: true })
    document.addEventListener('visibilitychange', onVisible)
    return () => {
      clearTimeout(timer)
      for (const e of ACTIVITY_EVENTS) window.removeEventListener(e, onActivity, { capture: true })
      document.removeEventListener('visibilitychange', onVisible)
    }
  }, [minutes])
}
