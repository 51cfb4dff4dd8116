import type { LocalAccount } from 'viem'
import type { WalletKeys } from '../../domain/wallet/keys.ts'

/**
 * The unlocked wallet's keys, in memory only. A reload, a lock or the inactivity timer clears
 * them; nothing here is ever written anywhere.
 */
export type Keyring = {
  get: () => WalletKeys | undefined
  set: (keys: WalletKeys) => void
  clear: () => void
  subscribe: (listener: () => void) => () => void
  /** The LocalAccountSource the wagmi connector reads. */
  getAccount: () => LocalAccount | undefined
}

export function createKeyring(): Keyring {
  let keys: WalletKeys | undefined
  const listeners = new Set<() => void>()
  const emit = () => {
    for (const l of listeners) l()
  }
  return {
    get: () => keys,
    set(next) {
      keys = next
      emit()
    },
    clear() {
      if (!keys) return
      keys = undefined
      emit()
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    getAccount: () => keys?.account,
  }
}

/** The app's one keyring. */
export const keyring: Keyring = createKeyring()

/** Forgets the keys held in memory. */
export function lockWallet(ring: Keyring = keyring): void {
  ring.clear()
}
