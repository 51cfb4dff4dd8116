import 'fake-indexeddb/auto'
import { QueryClient } from '@tanstack/react-query'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { deriveWalletKeys } from '../../domain/wallet/keys.ts'
import { parseRecoveryPhrase } from '../../domain/wallet/mnemonic.ts'
import { keyring } from '../../features/wallet/index.ts'
import { useDatabaseName } from '../../storage/db.ts'
import { readSetting } from '../../storage/settingsRepository.ts'
import { keepLastKnownReads, LAST_KNOWN_META, parseLastKnownReads, restoreLastKnownReads } from './lastKnownReads.ts'

const phrase = parseRecoveryPhrase('test test test test test test test test test test test junk')
const balanceKey = ['balance', { address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', chainId: 31337 }] as const
const balance = { value: 10_000n * 10n ** 18n, symbol: 'ETH', decimals: 18 }
let n = 0
let stop: (() => void) | undefined

const storedReads = () => readSetting('lastKnownChainReads', parseLastKnownReads)

beforeEach(async () => {
  await useDatabaseName(`last-known-${++n}`)
  keyring.set(await deriveWalletKeys(phrase))
})

afterEach(() => {
  stop?.()
  keyring.clear()
})

describe('last known chain reads', () => {
  it('keeps a chain read across a restart, with the time it was read', async () => {
    const before = new QueryClient()
    stop = keepLastKnownReads(before)
    await before.fetchQuery({ queryKey: balanceKey, queryFn: () => balance, meta: LAST_KNOWN_META })
    const readAt = before.getQueryState(balanceKey)?.dataUpdatedAt
    await vi.waitFor(async () => expect(await storedReads()).toHaveLength(1))

    const after = new QueryClient()
    await restoreLastKnownReads(after)
    expect(after.getQueryData(balanceKey)).toEqual(balance)
    expect(after.getQueryState(balanceKey)?.dataUpdatedAt).toBe(readAt)
  })

  it('does not replace a value read since', async () => {
    const before = new QueryClient()
    stop = keepLastKnownReads(before)
    await before.fetchQuery({ queryKey: balanceKey, queryFn: () => balance, meta: LAST_KNOWN_META })
    await vi.waitFor(async () => expect(await storedReads()).toHaveLength(1))

    const after = new QueryClient()
    const fresh = { ...balance, value: 1n }
    after.setQueryData(balanceKey, fresh, { updatedAt: Date.now() + 1_000 })
    await restoreLastKnownReads(after)
    expect(after.getQueryData(balanceKey)).toEqual(fresh)
  })

  it('stores only reads that opted in', async () => {
    const client = new QueryClient()
    stop = keepLastKnownReads(client)
    await client.fetchQuery({ queryKey: ['records', 'list'], queryFn: () => ['a record title'] })
    await client.fetchQuery({ queryKey: balanceKey, queryFn: () => balance, meta: LAST_KNOWN_META })
    await vi.waitFor(async () => expect(await storedReads()).toHaveLength(1))
    expect((await storedReads())[0]?.data).toEqual(balance)
  })

  it('stores nothing while the wallet is locked (after a removal nothing is written back)', async () => {
    const client = new QueryClient()
    stop = keepLastKnownReads(client)
    keyring.clear()
    await client.fetchQuery({ queryKey: balanceKey, queryFn: () => balance, meta: LAST_KNOWN_META })
    // A write would have been queued at once; give it time to land before checking there is none.
    await new Promise((resolve) => setTimeout(resolve, 50))
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
