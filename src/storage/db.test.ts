import 'fake-indexeddb/auto'
import { deleteDB, openDB } from 'idb'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { closeCareKeyDb, DB_VERSION, onChangedInAnotherTab, openCareKeyDb, useDatabaseName } from './db.ts'
import { StorageChangedInAnotherTabError } from './errors.ts'

afterEach(() => closeCareKeyDb())

describe('another tab changing the database', () => {
  it('closes this connection when another tab deletes the database, tells the app, and refuses to recreate it', async () => {
    await useDatabaseName('another-tab-deletes')
    const db = await openCareKeyDb()
    await db.put('settings', 15, 'autoLockMinutes')
    const listener = vi.fn()
    const stop = onChangedInAnotherTab(listener)

    // The other tab (another connection) removes the wallet: it is not blocked by this one.
    await deleteDB('another-tab-deletes')
    expect(listener).toHaveBeenCalledOnce()
    await expect(openCareKeyDb()).rejects.toBeInstanceOf(StorageChangedInAnotherTabError)
    // Nothing was recreated behind the other tab's back.
    const other = await openDB('another-tab-deletes')
    expect(other.version).toBe(1)
    expect([...other.objectStoreNames]).toEqual([])
    other.close()
    stop()
  })

  it('lets a newer version in another tab upgrade the schema instead of blocking it', async () => {
    await useDatabaseName('another-tab-upgrades')
    await openCareKeyDb()
    const listener = vi.fn()
    const stop = onChangedInAnotherTab(listener)
    const newer = await openDB('another-tab-upgrades', DB_VERSION + 1, { upgrade: (db) => void db.createObjectStore('fromTheFuture') })
    expect(newer.version).toBe(DB_VERSION + 1)
    newer.close()
    expect(listener).toHaveBeenCalledOnce()
    await expect(openCareKeyDb()).rejects.toBeInstanceOf(StorageChangedInAnotherTabError)
    stop()
  })

  it('opens again after a new start (a reload or another database name)', async () => {
    await useDatabaseName('another-tab-fresh-start')
    const db = await openCareKeyDb()
    expect(db.version).toBe(DB_VERSION)
  })
})
