import { hydrate, type Query, type QueryClient, type QueryKey, type QueryState } from '@tanstack/react-query'

/**
 * Chain reads that should show their last known value after a reload with no network (the
 * Account balance, grants' statuses). Only public chain data opts in: never anything secret or
 * about health. Together they still name the wallet's addresses and grants, so the app's store
 * keeps them encrypted with the wallet: they come back after the unlock, and a lock wipes them
 * from the cache with everything else (wipePrivateCaches).
 *
 * @example
 * useBalance({ address, query: { meta: LAST_KNOWN_META } })
 */
export const LAST_KNOWN_META = { keepLastKnown: true } as const

export type LastKnownRead = { queryHash: string; queryKey: QueryKey; data: unknown; dataUpdatedAt: number }

/**
 * Where the reads are kept on the device; the app passes one backed by its storage, bound to
 * the unlocked wallet whose key encrypts them.
 */
export type LastKnownReadsStore = {
  /** The stored reads, already parsed with `parseLastKnownReads`. */
  read: () => Promise<LastKnownRead[]>
  write: (reads: LastKnownRead[]) => Promise<void>
}

const keepsLastKnown = (query: Pick<Query, 'meta'>) => query.meta?.keepLastKnown === true

/** Validates what an older or damaged version may have stored; bad entries are dropped, not trusted. */
export function parseLastKnownReads(stored: unknown): LastKnownRead[] {
  if (!Array.isArray(stored)) return []
  return stored.flatMap((entry: unknown): LastKnownRead[] => {
    if (typeof entry !== 'object' || entry === null) return []
    if (!('queryHash' in entry) || !('queryKey' in entry) || !('data' in entry) || !('dataUpdatedAt' in entry)) return []
    const { queryHash, queryKey, data, dataUpdatedAt } = entry
    if (typeof queryHash !== 'string' || !Array.isArray(queryKey) || data === undefined) return []
    if (typeof dataUpdatedAt !== 'number' || !Number.isFinite(dataUpdatedAt) || dataUpdatedAt <= 0) return []
    return [{ queryHash, queryKey, data, dataUpdatedAt }]
  })
}

function restoredState(read: LastKnownRead): QueryState {
  return {
    data: read.data,
    dataUpdateCount: 1,
    dataUpdatedAt: read.dataUpdatedAt,
    error: null,
    errorUpdateCount: 0,
    errorUpdatedAt: 0,
    fetchFailureCount: 0,
    fetchFailureReason: null,
    fetchMeta: null,
    isInvalidated: false,
    status: 'success',
    fetchStatus: 'idle',
  }
}

const restoring = new WeakMap<QueryClient, WeakMap<LastKnownReadsStore, Promise<void>>>()

/**
 * Puts the last known chain reads stored on this device back into the query cache, once per
 * client and store (the app makes a store per unlock, so each unlock restores them once).
 * Resolves when done; never rejects (without them the app only shows fewer values offline). A
 * value read since then is kept: only older cache entries are replaced.
 *
 * @example
 * // At unlock; screens fill in once they are decrypted:
 * void restoreLastKnownReads(useQueryClient(), lastKnownReadsStoreFor(keys))
 */
export function restoreLastKnownReads(client: QueryClient, store: LastKnownReadsStore): Promise<void> {
  let byStore = restoring.get(client)
  if (!byStore) {
    byStore = new WeakMap()
    restoring.set(client, byStore)
  }
  let done = byStore.get(store)
  if (!done) {
    done = store
      .read()
      .then((reads) => {
        hydrate(
          client,
          {
            mutations: [],
            queries: reads.map((read) => ({
              queryHash: read.queryHash,
              queryKey: read.queryKey,
              state: restoredState(read),
              dehydratedAt: read.dataUpdatedAt,
              meta: LAST_KNOWN_META,
            })),
          },
          // Kept until a screen reads them, however long that takes; the lock wipes them.
          { defaultOptions: { queries: { gcTime: Infinity } } },
        )
      })
      .catch((error: unknown) => {
        console.warn('CareKey could not read its last known chain values:', error instanceof Error ? error.name : typeof error)
      })
    byStore.set(store, done)
  }
  return done
}

/**
 * Stores the last value of every query marked with LAST_KNOWN_META each time one is read
 * successfully, while `isUnlocked()` says the wallet whose store this is is unlocked (so nothing
 * is written after a lock or a removal). Returns a function that stops it and resolves once the
 * writes already under way have landed.
 *
 * @example
 * useEffect(() => {
 *   const stop = keepLastKnownReads(queryClient, { store: lastKnownReadsStoreFor(keys), isUnlocked: () => keyring.get() === keys })
 *   return () => void stop()
 * }, [queryClient, keys])
 */
export function keepLastKnownReads(
  client: QueryClient,
  { store, isUnlocked }: { store: LastKnownReadsStore; isUnlocked: () => boolean },
): () => Promise<void> {
  let writing: Promise<void> = Promise.resolve()
  let queued = false
  const save = () => {
    queued = false
    const reads: LastKnownRead[] = client
      .getQueryCache()
      .getAll()
      .filter((q) => keepsLastKnown(q) && q.state.data !== undefined && q.state.dataUpdatedAt > 0)
      .map((q) => ({ queryHash: q.queryHash, queryKey: q.queryKey, data: q.state.data, dataUpdatedAt: q.state.dataUpdatedAt }))
    writing = writing
      .then(() => store.write(reads))
      .catch((error: unknown) => {
        // A cache for offline display only: the next successful read tries again.
        console.warn('CareKey could not store its last known chain values:', error instanceof Error ? error.name : typeof error)
      })
  }
  const unsubscribe = client.getQueryCache().subscribe((event) => {
    if (event.type !== 'updated' || event.action.type !== 'success' || !keepsLastKnown(event.query)) return
    if (!isUnlocked() || queued) return
    queued = true
    // Several reads finishing together make one write.
    queueMicrotask(save)
  })
  return async () => {
    unsubscribe()
    // A save queued by the last read runs in a microtask: let it start, then wait for every write.
    await Promise.resolve()
    await writing
  }
}
