import { QueryClient } from '@tanstack/react-query'

/**
 * One QueryClient for local (IndexedDB) and chain reads. Network mode 'always': local reads
 * must run offline, and chain reads should fail fast and show their last known value rather
 * than pause silently while offline. A finished mutation leaves the cache as soon as no screen
 * shows it (gcTime 0): what it was given and what it returned is often private. A lock wipes
 * the rest (AppQueryProvider).
 */
export function createAppQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: { networkMode: 'always', retry: 1, refetchOnWindowFocus: false },
      mutations: { networkMode: 'always', retry: false, gcTime: 0 },
    },
  })
}
