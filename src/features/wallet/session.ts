import type { WalletKeys } from '../../domain/wallet/keys.ts'

const sessions = new WeakMap<WalletKeys, number>()
let lastSession = 0

/**
 * A number for one unlocked session of the wallet: new at every unlock (each unlock makes new
 * keys), 0 while locked. Every query key of decrypted data carries it, so that a cached query
 * never serves data of another session (before a lock, or of another wallet).
 *
 * @example
 * queryOptions({ queryKey: consentKeys.local(sessionScope(keys)), queryFn: () => listConsents(keys) })
 */
export function sessionScope(keys: WalletKeys | undefined): number {
  if (!keys) return 0
  let id = sessions.get(keys)
  if (id === undefined) {
    id = ++lastSession
    sessions.set(keys, id)
  }
  return id
}
