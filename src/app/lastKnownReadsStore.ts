import type { WalletKeys } from '../domain/wallet/keys.ts'
import { keyring } from '../features/wallet/index.ts'
import { parseLastKnownReads, type LastKnownReadsStore } from '../platform/index.ts'
import {
  deleteUnencryptedLastKnownReads,
  lastKnownReadsStorageKey,
  readLastKnownReads,
  sealLastKnownReads,
  storeSealedLastKnownReads,
} from '../storage/lastKnownReadsRepository.ts'

/**
 * The last known chain reads of one wallet, encrypted with a key derived from it (see
 * storage/lastKnownReadsRepository.ts), read and written only while `isCurrent()` says the
 * wallet is unlocked: a write that finishes encrypting after a lock or a removal is dropped, and
 * a read finishing then gives nothing.
 *
 * @example
 * const store = createLastKnownReadsStore(keys, () => keyring.get() === keys)
 */
export function createLastKnownReadsStore(keys: WalletKeys, isCurrent: () => boolean): LastKnownReadsStore {
  const key = () => lastKnownReadsStorageKey(keys.root)
  return {
    read: async () => {
      const reads = parseLastKnownReads(await readLastKnownReads(await key()))
      return isCurrent() ? reads : []
    },
    write: async (reads) => {
      const sealed = await sealLastKnownReads(await key(), reads)
      if (isCurrent()) await storeSealedLastKnownReads(sealed)
    },
  }
}

const stores = new WeakMap<WalletKeys, LastKnownReadsStore>()

/**
 * The store of the unlocked wallet's reads (createLastKnownReadsStore, current while these are
 * the keyring's keys): one per unlock, so each unlock restores the reads once.
 *
 * @example
 * void restoreLastKnownReads(queryClient, lastKnownReadsStoreFor(keys))
 */
export function lastKnownReadsStoreFor(keys: WalletKeys): LastKnownReadsStore {
  let store = stores.get(keys)
  if (!store) {
    store = createLastKnownReadsStore(keys, () => keyring.get() === keys)
    stores.set(keys, store)
  }
  return store
}

/**
 * Deletes the unencrypted chain reads that versions before the encrypted store kept. Run once
 * the wallet's storage is opened; never rejects (it runs again at the next start).
 */
export function forgetUnencryptedLastKnownReads(): Promise<void> {
  return deleteUnencryptedLastKnownReads().catch((error: unknown) => {
    console.warn('CareKey could not delete its old last known chain values:', error instanceof Error ? error.name : typeof error)
  })
}
