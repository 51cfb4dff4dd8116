import { deleteDB, openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb'
import type { EncryptedAttachment, EncryptedChunk } from '../domain/records/attachments.ts'
import type { EncryptedRecord } from '../domain/records/records.ts'
import type { EncryptedVault } from '../domain/wallet/vault.ts'
import { StorageUnavailableError, storageCall } from './errors.ts'
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

/** Opens (once) and returns the database, running any pending migrations. */
export function openCareKeyDb(): Promise<IDBPDatabase<CareKeyDB>> {
  connection ??= storageCall(async () => {
    if (typeof indexedDB === 'undefined') throw new StorageUnavailableError()
    const db = await openDB<CareKeyDB>(databaseName, DB_VERSION, {
      upgrade(db, oldVersion, newVersion, tx) {
        for (let v = oldVersion + 1; v <= (newVersion ?? DB_VERSION); v++) migrations[v]?.(db, tx)
      },
      blocking() {
        // A newer version of the app wants to upgrade the schema in another tab: let it.
        db.close()
        connection = undefined
      },
      terminated() {
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
}
