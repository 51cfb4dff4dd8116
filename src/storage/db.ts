import { deleteDB, openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb'
import type { EncryptedAttachment, EncryptedChunk } from '../domain/records/attachments.ts'
import type { EncryptedRecord } from '../domain/records/records.ts'
import type { EncryptedVault } from '../domain/wallet/vault.ts'
import { StorageChangedInAnotherTabError, StorageUnavailableError, storageCall } from './errors.ts'
import type { ConsentRow, ShareRow } from './rows.ts'

/**
 * The whole IndexedDB schema. Only ciphertext and non-identifying metadata are stored.
 * Add a store or an index with a new migration below; never change an old migration.
 */
export interface CareKeyDB extends DBSchema {
  /** The encrypted recovery phrase, under the single key 'main'. */
  vault: { key: 'main'; value: EncryptedVault }
  /** Non-secret preferences (auto-lock delay, ...) and the sealed records manifest, keyed by name. */
  settings: { key: string; value: unknown }
  /** Health records, each encrypted under its own data key; keyed by a random id. */
  records: { key: string; value: EncryptedRecord }
  /** Attachment files' wrapped keys and sizes; keyed by a random id. */
  attachments: { key: string; value: EncryptedAttachment }
  /** Attachment contents in encrypted 1 MiB chunks, keyed by [attachment id, chunk index]. */
  attachmentChunks: { key: [string, number]; value: EncryptedChunk }
  /** Consent grants, each sealed under the wallet's consents key; keyed by a random id. */
  consents: { key: string; value: ConsentRow }
  /** Shares (consent QR codes), each sealed under the same key; keyed by a random local id. */
  shares: { key: string; value: ShareRow }
}

export type CareKeyStoreName = StoreNames<CareKeyDB>
type UpgradeTransaction = IDBPTransaction<CareKeyDB, CareKeyStoreName[], 'versionchange'>

/** Migration n brings a database from version n-1 to n. */
export const migrations: Record<number, (db: IDBPDatabase<CareKeyDB>, tx: UpgradeTransaction) => void> = {
  1: (db) => {
    db.createObjectStore('vault')
    db.createObjectStore('settings')
  },
  2: (db) => {
    db.createObjectStore('records', { keyPath: 'id' })
    db.createObjectStore('attachments', { keyPath: 'id' })
    db.createObjectStore('attachmentChunks', { keyPath: ['attachmentId', 'index'] })
  },
  3: (db) => {
    db.createObjectStore('consents', { keyPath: 'id' })
  },
  4: (db) => {
    db.createObjectStore('shares', { keyPath: 'id' })
  },
}

export const DB_VERSION = Math.max(...Object.keys(migrations).map(Number))

let databaseName = 'carekey'
let connection: Promise<IDBPDatabase<CareKeyDB>> | undefined
/** Set once another tab took the database away (see openCareKeyDb); only a reload clears it. */
let changedInAnotherTab = false
const changedInAnotherTabListeners = new Set<() => void>()

/**
 * Opens (once) and returns the database, running any pending migrations.
 *
 * When another tab deletes the database (the wallet was removed there) or upgrades it (a newer
 * CareKey), this tab's connection is closed at once so the other tab is not blocked, and from
 * then on every open here fails with StorageChangedInAnotherTabError: what this tab holds in
 * memory no longer matches what is stored, and a write would recreate the database behind the
 * other tab's back (records without a wallet, or an old schema). The page must be reloaded.
 */
export function openCareKeyDb(): Promise<IDBPDatabase<CareKeyDB>> {
  if (changedInAnotherTab) return Promise.reject(new StorageChangedInAnotherTabError())
  connection ??= storageCall(async () => {
    if (typeof indexedDB === 'undefined') throw new StorageUnavailableError()
    const db = await openDB<CareKeyDB>(databaseName, DB_VERSION, {
      upgrade(db, oldVersion, newVersion, tx) {
        for (let v = oldVersion + 1; v <= (newVersion ?? DB_VERSION); v++) migrations[v]?.(db, tx)
      },
      blocking() {
        db.close()
        connection = undefined
        changedInAnotherTab = true
        for (const listener of changedInAnotherTabListeners) listener()
      },
      terminated() {
        // The browser closed the connection (storage cleared, disk error): the next open retries.
        connection = undefined
      },
    })
    return db
  }).catch((error: unknown) => {
    connection = undefined
    throw error
  })
  return connection
}

/**
 * Calls `listener` when another tab deletes or upgrades the database (see openCareKeyDb), so the
 * app can lock and ask for a reload. Returns the function that stops listening.
 *
 * @example
 * useEffect(() => onChangedInAnotherTab(() => setStale(true)), [])
 */
export function onChangedInAnotherTab(listener: () => void): () => void {
  changedInAnotherTabListeners.add(listener)
  return () => changedInAnotherTabListeners.delete(listener)
}

/** Closes the connection and deletes every CareKey store on this device. */
export async function deleteCareKeyDb(): Promise<void> {
  await closeCareKeyDb()
  await storageCall(() => deleteDB(databaseName))
}

export async function closeCareKeyDb(): Promise<void> {
  const open = connection
  connection = undefined
  if (open) (await open.catch(() => undefined))?.close()
}

/** For tests: use another database name (each test file gets a clean database). */
export async function useDatabaseName(name: string): Promise<void> {
  await closeCareKeyDb()
  databaseName = name
  changedInAnotherTab = false
}
