// @vitest-environment jsdom
import 'fake-indexeddb/auto'
import { act, cleanup, renderHook, waitFor } from '@testing-library/react'
import type { ReactNode } from 'react'
import { bytesToHex, numberToHex } from 'viem'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createConfig, custom, WagmiProvider } from 'wagmi'
import type { QueryClient } from '@tanstack/react-query'
import { careKeyChain } from '../chain/wagmiConfig.ts'
import { localWallet } from '../chain/localWalletConnector.ts'
import { createRecoveryPhrase } from '../domain/wallet/mnemonic.ts'
import { appConfig } from '../platform/config.ts'
import { closeCareKeyDb, useDatabaseName } from '../storage/db.ts'
import { registry, usePrepareGrant } from '../features/consent/hooks.ts'
import { EMPTY_GRANT_FORM, readGrantForm } from '../features/consent/grantForm.ts'
import { readShareRecords } from '../features/consent/shareRecords.ts'
import { useRecordSummaries, useSaveRecord } from '../features/records/hooks.ts'
import { useChangePassphrase, useRemoveWallet, useStoreNewWallet, useUnlockWallet, useWalletKeys, useWalletPresence } from '../features/wallet/hooks.ts'
import { walletKeys } from '../features/wallet/queries.ts'
import { keyring } from '../features/wallet/keyring.ts'
import { lockWallet } from '../features/wallet/walletActions.ts'
import { AppQueryProvider } from './AppQueryProvider.tsx'
import { createAppQueryClient } from './queryClient.ts'

/**
 * Locking leaves nothing private in the query client: the app's client and provider, the real
 * wallet, records and consent hooks over fake IndexedDB, and a chain that answers the grant-key
 * scan with no grants. Every query and mutation is then read back whole, as anything holding
 * the client could read it.
 */

/** The chain's side of the grant-key scan: a head block and no grant events. */
const emptyChain = async ({ method }: { method: string }): Promise<unknown> => {
  if (method === 'eth_chainId') return numberToHex(appConfig.chain.id)
  if (method === 'eth_blockNumber') return numberToHex(100)
  if (method === 'eth_getLogs') return []
  throw new Error(`the test chain does not answer ${method}`)
}

const wagmiConfig = createConfig({
  chains: [careKeyChain(appConfig.chain)],
  transports: { [appConfig.chain.id]: custom({ request: emptyChain }) },
  connectors: [localWallet(keyring)],
  storage: null,
})

/**
 * Everything a value holds, as text: strings, numbers, bigints, bytes as hex (with and without
 * 0x), Blobs' contents, Maps and Sets, errors with their causes; functions and CryptoKeys are
 * opaque (a CryptoKey has no readable properties, a closure cannot be read without calling it).
 */
async function dump(value: unknown, seen = new WeakSet<object>()): Promise<string> {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  if (typeof value === 'function' || typeof value === 'symbol') return ''
  if (typeof value !== 'object') return ''
  if (seen.has(value)) return ''
  seen.add(value)
  if (value instanceof Uint8Array) return `${bytesToHex(value)} ${bytesToHex(value).slice(2)}`
  if (value instanceof ArrayBuffer) return dump(new Uint8Array(value), seen)
  if (value instanceof Blob) return value.text()
  const parts: unknown[] =
    value instanceof Map ? [...value.entries()] : value instanceof Set ? [...value] : Object.getOwnPropertyNames(value).flatMap((k): unknown[] => [k, Reflect.get(value, k) as unknown])
  return (await Promise.all(parts.map((part) => dump(part, seen)))).join('\n')
}

/** What every query and mutation in the client holds, as text. */
async function everythingCached(client: QueryClient): Promise<string> {
  const queries = client.getQueryCache().getAll()
  const mutations = client.getMutationCache().getAll()
  return dump([
    ...queries.map((q) => [q.queryKey, q.queryHash, q.state.data, q.state.error, q.state.fetchFailureReason, q.meta]),
    ...mutations.map((m) => [m.state.variables, m.state.data, m.state.error, m.state.failureReason, m.state.context, m.options.meta, m.options.mutationKey]),
  ])
}

// jsdom puts its own Uint8Array on the global object, while Node's TextEncoder, WebCrypto and
// structuredClone (fake IndexedDB) make Node's: bytes would fail `instanceof Uint8Array` checks
// (the vault's, jose's) as they never do in a browser, where there is one. Use Node's here.
const jsdomUint8Array = globalThis.Uint8Array
beforeAll(() => {
  // Buffer extends Node's Uint8Array.
  globalThis.Uint8Array = Object.getPrototypeOf(Buffer) as Uint8ArrayConstructor
})
afterAll(() => {
  globalThis.Uint8Array = jsdomUint8Array
})

let n = 0
beforeEach(async () => {
  await useDatabaseName(`wipe-on-lock-${++n}`)
})
afterEach(async () => {
  cleanup()
  keyring.clear()
  await closeCareKeyDb()
})

/**
 * An unlocked wallet whose caches hold private data, as the screens leave them: the wallet
 * created and its passphrase changed, locked and unlocked again; a record with a distinctive text
 * shown in the timeline; a grant to "whoever I show this QR code to" with a passcode, prepared for
 * review. `found` names the secrets a text holds.
 */
async function unlockedWithPrivateData() {
  const phrase = createRecoveryPhrase()
  const firstPassphrase = 'harbour violet 8841 lantern'
  const passphrase = 'quartz meadow 5127 ember'
  const recordText = 'Zephyrine sensitivity 9d41c7'
  const passcode = 'kiwi-passcode-4821'
  const queryClient = createAppQueryClient()
  const wrapper = ({ children }: { children: ReactNode }) => (
    <AppQueryProvider client={queryClient}>
      <WagmiProvider config={wagmiConfig} reconnectOnMount={false}>
        {children}
      </WagmiProvider>
    </AppQueryProvider>
  )
  const { result } = renderHook(
    () => ({
      presence: useWalletPresence(),
      keys: useWalletKeys(),
      store: useStoreNewWallet(phrase),
      unlock: useUnlockWallet(),
      change: useChangePassphrase(),
      save: useSaveRecord(),
      records: useRecordSummaries(),
      prepare: usePrepareGrant(),
      remove: useRemoveWallet(),
    }),
    { wrapper },
  )

  await act(() => result.current.store.mutateAsync(firstPassphrase))
  await act(() => result.current.change.mutateAsync({ current: firstPassphrase, next: passphrase }))
  act(() => lockWallet())
  await act(() => result.current.unlock.mutateAsync(passphrase))
  const keys = result.current.keys
  if (!keys) throw new Error('the wallet did not unlock')

  const saved = await act(() =>
    result.current.save.mutateAsync({
      resource: { resourceType: 'AllergyIntolerance', patient: { display: 'Me' }, code: { text: recordText } },
    }),
  )
  await waitFor(() => expect(result.current.records.data?.map((r) => r.title)).toContain(recordText))

  const choices = readGrantForm(
    { ...EMPTY_GRANT_FORM, granteeMode: 'bearer', share: true, passcode, scopeMode: 'records', recordIds: [saved.id] },
    { patient: keys.account.address, now: new Date() },
  )
  const prepared = await act(() =>
    result.current.prepare.mutateAsync({
      choices,
      registry,
      hostUrl: appConfig.shareHostUrl,
      now: new Date(),
      readRecords: () => readShareRecords(keys, [saved.id]),
    }),
  )
  const share = prepared.share
  if (!share || prepared.consent.grantee.kind !== 'bearer') throw new Error('the grant was prepared without its share or bearer secret')

  const secrets = {
    phrase,
    'the first passphrase': firstPassphrase,
    passphrase,
    'the record text': recordText,
    passcode,
    'the share key': share.key,
    "the share's id at the host": share.hostShareId,
    'the bearer secret': prepared.consent.grantee.secret,
    'the bearer secret without 0x': prepared.consent.grantee.secret.slice(2),
  }
  const found = async () => {
    const cached = await everythingCached(queryClient)
    return Object.entries(secrets).flatMap(([name, secret]) => (cached.includes(secret) ? [name] : []))
  }

  // Unlocked, the caches hold what the screens show (so the walk can see them), but never what
  // the patient typed to open the wallet.
  const unlocked = await found()
  expect(unlocked).toEqual(expect.arrayContaining(['the record text', 'passcode', 'the share key', 'the bearer secret']))
  expect(unlocked).not.toContain('phrase')
  expect(unlocked).not.toContain('the first passphrase')
  expect(unlocked).not.toContain('passphrase')
  return { queryClient, result, found }
}

describe('locking the wallet', () => {
  it('leaves no phrase, passphrase, record text, passcode or share key in any query or mutation, and keeps what the lock screen needs', async () => {
    const { queryClient, result, found } = await unlockedWithPrivateData()

    act(() => lockWallet())

    expect(await found()).toEqual([])
    expect(queryClient.getMutationCache().getAll()).toEqual([])
    // The lock screen still knows that a wallet is stored here.
    expect(result.current.presence.data).toBe('present')
    expect(queryClient.getQueryData(walletKeys.presence())).toBe('present')
  }, 60_000)
})

describe('removing the wallet', () => {
  it('leaves nothing private in any query or mutation, and the lock screen learns that no wallet is left', async () => {
    const { queryClient, result, found } = await unlockedWithPrivateData()

    await act(() => result.current.remove.mutateAsync())

    expect(await found()).toEqual([])
    expect(queryClient.getMutationCache().getAll()).toEqual([])
    await waitFor(() => expect(result.current.presence.data).toBe('absent'))
  }, 60_000)
})
