import type { RecordsKeys } from '../../domain/records/keys.ts'
import type { EncryptedRecord } from '../../domain/records/records.ts'
import type { RecordSummary } from '../../domain/records/summary.ts'
import type { RecordsIndex } from '../../domain/records/search.ts'
import { WalletLockedError } from '../../domain/wallet/errors.ts'
import type { WalletKeys } from '../../domain/wallet/keys.ts'
import type { StoredAttachment } from '../../storage/recordsRepository.ts'
import { keyring } from '../wallet/index.ts'

type Keyring = typeof keyring

/** A deleted record kept in memory (still encrypted) so that the patient can undo. */
export type Deletion = { summary: RecordSummary; row: EncryptedRecord; attachments: StoredAttachment[] }

type Open = {
  keys: WalletKeys
  recordsKeys: Promise<RecordsKeys>
  index: Promise<RecordsIndex> | undefined
  /** Writes run one after another, so duplicate checks see every earlier write. */
  writes: Promise<unknown>
  /** Whether re-sealing older rows was queued in this unlock. */
  upgradeQueued: boolean
}

/**
 * The unlocked records: the records keys derived from the wallet and the decrypted index,
 * held in memory only. It follows the keyring: a lock, a removal of the wallet or another
 * wallet's keys drop everything decrypted at once (and bump `epoch`, so that what is kept per
 * session, like the timeline's search, is forgotten too). Query keys are scoped by the wallet
 * feature's sessionScope, which changes with the keys as well.
 */
export class RecordsSession {
  private open: Open | undefined
  private epoch = 0
  private deletion: Deletion | undefined
  private readonly listeners = new Set<() => void>()

  constructor(private readonly ring: Keyring) {
    ring.subscribe(() => {
      if (this.open && this.open.keys !== ring.get()) this.close()
    })
  }

  readonly subscribe = (listener: () => void) => {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }

  readonly getEpoch = () => this.epoch
  readonly getDeletion = () => this.deletion

  /** Drops every decrypted thing this session holds. */
  close(): void {
    this.open = undefined
    this.deletion = undefined
    this.epoch++
    this.emit()
  }

  /** The session of the current keys; throws WalletLockedError while locked. */
  private current(): Open {
    const keys = this.ring.get()
    if (!keys) throw new WalletLockedError()
    if (this.open?.keys === keys) return this.open
    if (this.open) this.close()
    const open: Open = { keys, recordsKeys: loaders().then((l) => l.deriveRecordsKeys(keys.root)), index: undefined, writes: Promise.resolve(), upgradeQueued: false }
    this.open = open
    return open
  }

  /** True when these are the keys this session serves (the wallet's current keys). */
  isFor(keys: WalletKeys): boolean {
    return this.ring.get() === keys
  }

  /** The unlocked wallet's keys; throws WalletLockedError while locked. */
  walletKeys(): WalletKeys {
    return this.current().keys
  }

  async recordsKeys(): Promise<RecordsKeys> {
    return this.current().recordsKeys
  }

  /**
   * The decrypted index, built once per unlock. Once it is built, re-sealing what is still
   * stored in an older way (sessionLoaders.ts, `upgradeRecordsAtRest`) is queued after the
   * writes already waiting, once per unlock.
   */
  async index(): Promise<RecordsIndex> {
    const open = this.current()
    if (!open.index) {
      const loading = Promise.all([loaders(), open.recordsKeys]).then(async ([l, keys]) => {
        const loaded = await l.loadRecordsIndex(keys)
        if (!open.upgradeQueued && this.open === open) {
          open.upgradeQueued = true
          const stillWanted = () => this.open === open
          const upgrade = open.writes.then(() => (stillWanted() ? l.upgradeRecordsAtRest(keys, loaded.outdated, stillWanted) : undefined))
          // A failed upgrade (a full disk, say) leaves the older rows as they are, readable; the
          // next unlock tries again.
          open.writes = upgrade.catch(() => undefined)
        }
        return loaded.index
      })
      open.index = loading
      // A failed load is not cached: the next read tries again.
      loading.catch(() => {
        if (this.open === open && open.index === loading) open.index = undefined
      })
    }
    return open.index
  }

  /**
   * Runs a write after the previous ones, with the current index and keys; `write` returns the
   * index after its change, which the session keeps when the write succeeds (and the session
   * is still the same: a lock in between discards it).
   */
  async write<T>(write: (index: RecordsIndex, keys: RecordsKeys) => Promise<{ result: T; index: RecordsIndex }>): Promise<T> {
    const open = this.current()
    const run = open.writes.then(async () => {
      const [index, keys] = await Promise.all([this.index(), open.recordsKeys])
      const { result, index: next } = await write(index, keys)
      if (this.open === open) {
        open.index = Promise.resolve(next)
        this.emit()
      }
      return result
    })
    open.writes = run.catch(() => undefined)
    return run
  }

  setDeletion(deletion: Deletion | undefined): void {
    this.deletion = deletion
    this.emit()
  }

  private emit() {
    for (const listener of this.listeners) listener()
  }
}

// The crypto and the FHIR code load with the first records read, not with the app's first screen.
const loaders = () => import('./sessionLoaders.ts')

/** The app's one records session, bound to the app's keyring. */
export const recordsSession = new RecordsSession(keyring)
