import type { QueryClient } from '@tanstack/react-query'
import { wipePrivateCaches } from '../../platform/privateCaches.ts'
import { keyring, type Keyring } from './keyring.ts'

/**
 * Wipes the query client's private caches (wipePrivateCaches) whenever the keyring is cleared:
 * the Lock button, the inactivity lock and the removal of the wallet all go through it, so none
 * can leave a passphrase, a phrase, a record or a share key behind in a finished mutation or a
 * cached query. Returns the function that stops it.
 *
 * @example
 * useEffect(() => wipeCachesOnLock(queryClient), [queryClient])
 */
export function wipeCachesOnLock(client: QueryClient, ring: Keyring = keyring): () => void {
  return ring.subscribe(() => {
    if (ring.get() === undefined) wipePrivateCaches(client)
  })
}
