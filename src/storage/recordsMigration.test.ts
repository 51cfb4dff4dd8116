import 'fake-indexeddb/auto'
import { openDB, type IDBPDatabase } from 'idb'
import { afterEach, describe, expect, it } from 'vitest'
import { parseStoredVault } from '../domain/wallet/vault.ts'
import { pbkdf2VaultRecord } from '../test/pbkdf2VaultFixture.ts'
import { closeCareKeyDb, DB_VERSION, migrations, openCareKeyDb, useDatabaseName, type CareKeyDB } from './db.ts'
import { readVault } from './vaultRepository.ts'
import { readSetting } from './settingsRepository.ts'

afterEach(() => closeCareKeyDb())

describe('schema migration 2 (records)', () => {
  it('upgrades a database written by schema version 1 and reads its data back', async () => {
    const name = 'migration-v1-to-records'
    await useDatabaseName(name)
    const vault = parseStoredVault(pbkdf2VaultRecord())
    // A database exactly as version 1 of the app wrote it.
    const v1: IDBPDatabase<CareKeyDB> = await openDB<CareKeyDB>(name, 1, {
      upgrade: (db, _old, _new, tx) => migrations[1]?.(db, tx),
    })
    await v1.put('vault', vault, 'main')
    await v1.put('settings', 15, 'autoLockMinutes')
    v1.close()

    const db = await openCareKeyDb()
    expect(db.version).toBe(DB_VERSION)
    expect([...db.objectStoreNames]).toEqual(expect.arrayContaining(['vault', 'settings', 'records', 'attachments', 'attachmentChunks']))
    expect(await readVault()).toEqual(vault)
    expect(await readSetting('autoLockMinutes', (v) => v)).toBe(15)
    expect(await db.count('records')).toBe(0)
  })
})
