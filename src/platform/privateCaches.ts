import type { Query, QueryClient } from '@tanstack/react-query'

/**
 * Marks a query that the lock screen needs and that holds nothing private (whether a wallet is
 * stored on this device). It is the only kind of query a lock leaves in the cache.
 *
 * @example
 * queryOptions({ queryKey: walletKeys.presence(), queryFn, meta: LOCK_SCREEN_META })
 */
export const LOCK_SCREEN_META = { lockScreen: true } as const

const neededByLockScreen = (query: Pick<Query, 'meta'>) => query.meta?.lockScreen === true

/**
 * Drops everything private the query client holds: every mutation, with its variables, result
 * and error (a passphrase, a prepared grant with its share key and passcode, a record just
 * written), and every query but those the lock screen needs (LOCK_SCREEN_META): decrypted
 * records, consents and shares, chain reads that carry the wallet's addresses. Queries under way
 * are cancelled. The wallet calls it at every lock and at the removal of the wallet; the last
 * known chain reads come back, decrypted, after the next unlock.
 *
 * @example
 * keyring.subscribe(() => { if (!keyring.get()) wipePrivateCaches(queryClient) })
 */
export function wipePrivateCaches(client: QueryClient): void {
  client.getMutationCache().clear()
  client.removeQueries({ predicate: (query) => !neededByLockScreen(query) })
}
