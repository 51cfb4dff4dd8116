import 'fake-indexeddb/auto'
import { bytesToHex } from 'viem'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { deriveWalletKeys } from '../domain/wallet/keys.ts'
import { parseRecoveryPhrase } from '../domain/wallet/mnemonic.ts'
import type { LastKnownRead } from '../platform/index.ts'
import { closeCareKeyDb, openCareKeyDb, useDatabaseName } from '../storage/db.ts'
import { readSetting, writeSetting } from '../storage/settingsRepository.ts'
import { createLastKnownReadsStore, forgetUnencryptedLastKnownReads } from './lastKnownReadsStore.ts'

/**
 * The app's store of last known chain reads, over the real settings table (fake IndexedDB): what
 * it gives back, what it refuses to trust, and what a reader of the device's storage sees.
 */
const walletA = await deriveWalletKeys(parseRecoveryPhrase('test test test test test test test test test test test junk'))
const walletB = await deriveWalletKeys(
  parseRecoveryPhrase('abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'),
)
const address = walletA.account.address
const commitment = `0x${'c0ffee'.repeat(10)}beef` as const
const reads: LastKnownRead[] = [
  {
    queryHash: `["balance",{"address":"${address}","chainId":31337}]`,
    queryKey: ['balance', { address, chainId: 31337 }],
    data: { value: 9_876_543_210_123_456_789n, symbol: 'ETH', decimals: 18 },
    dataUpdatedAt: 1_790_000_000_000,
  },
  {
    queryHash: `["consent","chain","status","${commitment}"]`,
    queryKey: ['consent', 'chain', 'status', 31337, commitment],
    data: { status: 'active', commitment, blockNumber: 4_242n },
    dataUpdatedAt: 1_790_000_000_500,
  },
]

const unlocked = () => true

/** Every key and value of the settings table, as text (bytes as hex). */
async function settingsAtRest(): Promise<string> {
  const db = await openCareKeyDb()
  const text = (value: unknown): string =>
    value instanceof Uint8Array
      ? bytesToHex(value)
      : typeof value === 'object' && value !== null
        ? Object.entries(value)
            .map(([k, v]) => `${k} ${text(v)}`)
            .join(' ')
        : String(value)
  const keys = await db.getAllKeys('settings')
  return (await Promise.all(keys.map(async (key) => `${key} ${text(await db.get('settings', key))}`))).join('\n')
}

async function tamperWithStoredReads(change: (stored: { sealed: { ciphertext: Uint8Array } }) => unknown) {
  const db = await openCareKeyDb()
  const [key] = (await db.getAllKeys('settings')).filter((k) => k !== 'lastKnownChainReads')
  if (key === undefined) throw new Error('nothing stored')
  await db.put('settings', change((await db.get('settings', key)) as { sealed: { ciphertext: Uint8Array } }), key)
}

let n = 0
beforeEach(async () => {
  await useDatabaseName(`last-known-store-${++n}`)
})
afterEach(async () => {
  await closeCareKeyDb()
})

describe('the last known chain reads store', () => {
  it('gives back what it stored, bigints and times included', async () => {
    await createLastKnownReadsStore(walletA, unlocked).write(reads)
    expect(await createLastKnownReadsStore(walletA, unlocked).read()).toEqual(reads)
  })

  it('keeps nothing readable at rest: no address, balance, commitment or query key', async () => {
    await createLastKnownReadsStore(walletA, unlocked).write(reads)
    const stored = await settingsAtRest()
    expect(stored.length).toBeGreaterThan(0)
    for (const visible of [address, address.slice(2).toLowerCase(), '9876543210123456789', commitment.slice(2), 'balance', 'active', '4242']) {
      expect(stored.toLowerCase()).not.toContain(visible.toLowerCase())
    }
  })

  it("drops another wallet's reads instead of trusting them", async () => {
    await createLastKnownReadsStore(walletA, unlocked).write(reads)
    expect(await createLastKnownReadsStore(walletB, unlocked).read()).toEqual([])
  })

  it('drops damaged reads instead of trusting them', async () => {
    await createLastKnownReadsStore(walletA, unlocked).write(reads)
    await tamperWithStoredReads((stored) => {
      stored.sealed.ciphertext[0] = (stored.sealed.ciphertext[0] ?? 0) ^ 1
      return stored
    })
    expect(await createLastKnownReadsStore(walletA, unlocked).read()).toEqual([])

    await tamperWithStoredReads(() => reads)
    expect(await createLastKnownReadsStore(walletA, unlocked).read()).toEqual([])
  })

  it('writes and gives back nothing once its wallet is locked', async () => {
    let isUnlocked = true
    const store = createLastKnownReadsStore(walletA, () => isUnlocked)
    await store.write(reads)
    isUnlocked = false
    expect(await store.read()).toEqual([])
    await store.write([])
    isUnlocked = true
    expect(await store.read()).toEqual(reads)
  })

  it('deletes the unencrypted reads older versions kept', async () => {
    await writeSetting('lastKnownChainReads', reads)
    await forgetUnencryptedLastKnownReads()
    expect(await readSetting('lastKnownChainReads', (v) => v)).toBeUndefined()
  })
})
