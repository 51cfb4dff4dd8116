import 'fake-indexeddb/auto'
import { QueryClient } from '@tanstack/react-query'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useDatabaseName } from '../storage/db.ts'
import { readSetting, writeSetting } from '../storage/settingsRepository.ts'
import {
  keepLastKnownReads,
  LAST_KNOWN_META,
  parseLastKnownReads,
  restoreLastKnownReads,
  type LastKnownReadsStore,
} from './lastKnownReads.ts'

const balanceKey = ['balance', { address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', chainId: 31337 }] as const
const balance = { value: 10_000n * 10n ** 18n, symbol: 'ETH', decimals: 18 }
let n = 0
let stop: (() => Promise<void>) | undefined
let unlocked = true
const isUnlocked = () => unlocked

// A plain store over the real settings table (fake IndexedDB); the app's encrypts (app/lastKnownReadsStore.ts).
const storedReads = () => readSetting('lastKnownChainReads', parseLastKnownReads)
const store: LastKnownReadsStore = { read: storedReads, write: (reads) => writeSetting('lastKnownChainReads', reads) }

beforeEach(async () => {
  await useDatabaseName(`last-known-${++n}`)
  unlocked = true
})

afterEach(async () => {
  await stop?.()
  stop = undefined
})

describe('last known chain reads', () => {
  it('keeps a chain read across a restart, with the time it was read', async () => {
    const before = new QueryClient()
    stop = keepLastKnownReads(before, { store, isUnlocked })
    await before.fetchQuery({ queryKey: balanceKey, queryFn: () => balance, meta: LAST_KNOWN_META })
    const readAt = before.getQueryState(balanceKey)?.dataUpdatedAt
    await vi.waitFor(async () => expect(await storedReads()).toHaveLength(1))

    const after = new QueryClient()
    await restoreLastKnownReads(after, store)
    expect(after.getQueryData(balanceKey)).toEqual(balance)
    expect(after.getQueryState(balanceKey)?.dataUpdatedAt).toBe(readAt)
  })

  it('does not replace a value read since', async () => {
    const before = new QueryClient()
    stop = keepLastKnownReads(before, { store, isUnlocked })
    await before.fetchQuery({ queryKey: balanceKey, queryFn: () => balance, meta: LAST_KNOWN_META })
    await vi.waitFor(async () => expect(await storedReads()).toHaveLength(1))

    const after = new QueryClient()
    const fresh = { ...balance, value: 1n }
    after.setQueryData(balanceKey, fresh, { updatedAt: Date.now() + 1_000 })
    await restoreLastKnownReads(after, store)
    expect(after.getQueryData(balanceKey)).toEqual(fresh)
  })

  it('stores only reads that opted in', async () => {
    const client = new QueryClient()
    stop = keepLastKnownReads(client, { store, isUnlocked })
    await client.fetchQuery({ queryKey: ['records', 'list'], queryFn: () => ['a record title'] })
    await client.fetchQuery({ queryKey: balanceKey, queryFn: () => balance, meta: LAST_KNOWN_META })
    await vi.waitFor(async () => expect(await storedReads()).toHaveLength(1))
    expect((await storedReads())[0]?.data).toEqual(balance)
  })

  it('has written a read by the time it is stopped', async () => {
    const client = new QueryClient()
    stop = keepLastKnownReads(client, { store, isUnlocked })
    await client.fetchQuery({ queryKey: balanceKey, queryFn: () => balance, meta: LAST_KNOWN_META })
    await stop()
    expect(await storedReads()).toHaveLength(1)
  })

  it('stores nothing while the wallet is locked (after a removal nothing is written back)', async () => {
    const client = new QueryClient()
    stop = keepLastKnownReads(client, { store, isUnlocked })
    unlocked = false
    await client.fetchQuery({ queryKey: balanceKey, queryFn: () => balance, meta: LAST_KNOWN_META })
    // Stopping waits for every write under way: had the read queued one, it would have landed.
    await stop()
    expect(await storedReads()).toEqual([])
  })

  it('drops stored entries that are damaged or from an unknown format', () => {
    const good = { queryHash: '["balance"]', queryKey: ['balance'], data: 1n, dataUpdatedAt: 1_700_000_000_000 }
    expect(parseLastKnownReads('not a list')).toEqual([])
    expect(
      parseLastKnownReads([good, null, { ...good, queryKey: 'balance' }, { ...good, dataUpdatedAt: -1 }, { ...good, data: undefined }]),
    ).toEqual([good])
  })
})
