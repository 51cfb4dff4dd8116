// @vitest-environment jsdom
import 'fake-indexeddb/auto'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { act, renderHook, waitFor } from '@testing-library/react'
import { createElement, type ReactNode } from 'react'
import { defineChain, type Address } from 'viem'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createConfig, http, WagmiProvider, type Config } from 'wagmi'
import { connect, switchChain } from 'wagmi/actions'
import { startLocalChainForTests } from '../../../scripts/lib/chainFixture.ts'
import { GrantAlreadyRevokedError, NotYourGrantError, WrongNetworkError } from '../../chain/consentRegistryErrors.ts'
import { NetworkUnreachableError, NotEnoughFundsError } from '../../chain/errors.ts'
import { localWallet } from '../../chain/localWalletConnector.ts'
import { deriveWalletKeys, type WalletKeys } from '../../domain/wallet/keys.ts'
import { parseRecoveryPhrase } from '../../domain/wallet/mnemonic.ts'
import { consentsStorageKey, readConsent, readConsents } from '../../storage/consentsRepository.ts'
import { closeCareKeyDb, useDatabaseName } from '../../storage/db.ts'
import { keyring } from '../wallet/index.ts'
import { registry, useConsent, useGrantConfirmation, useGrantStatus, useRevokeGrant, useSendGrant } from './hooks.ts'
import { prepareGrant, type PreparedGrant } from './prepareGrant.ts'

/**
 * The grant and revoke hooks against a real anvil with the real ConsentRegistry, through wagmi
 * and the CareKey wallet connector: what the screens rely on for every outcome, including the
 * failures an injected wallet or a network can cause.
 */
const local = startLocalChainForTests()
const clinician: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const FUNDED = 'test test test test test test test test test test test junk'
const UNFUNDED = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'

let walletKeys: Record<'funded' | 'unfunded', WalletKeys>
let n = 0

beforeEach(async () => {
  expect(local.deployment.consentRegistry.toLowerCase()).toBe(registry.address.toLowerCase())
  walletKeys ??= {
    funded: await deriveWalletKeys(parseRecoveryPhrase(FUNDED)),
    unfunded: await deriveWalletKeys(parseRecoveryPhrase(UNFUNDED)),
  }
  await useDatabaseName(`grant-flow-${++n}`)
})
afterEach(async () => {
  keyring.clear()
  await closeCareKeyDb()
})

/** A wagmi config like the app's, on the test chain (and on another chain, to switch to). */
async function appLikeSetup(who: 'funded' | 'unfunded', rpcUrl = local.chain.rpcUrl) {
  const keys = walletKeys[who]
  keyring.set(keys)
  const chain = defineChain({ id: 31337, name: 'anvil', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [rpcUrl] } } })
  const other = defineChain({ id: 999, name: 'elsewhere', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [rpcUrl] } } })
  const config: Config = createConfig({
    chains: [chain, other],
    connectors: [localWallet(keyring)],
    transports: { [chain.id]: http(rpcUrl, { retryCount: 0, timeout: 3_000 }), [other.id]: http(rpcUrl) },
    pollingInterval: 50,
    // No stored connections: the provider below must not reset the connection made here.
    storage: null,
  })
  const [connector] = config.connectors
  if (!connector) throw new Error('no connector')
  await connect(config, { connector })
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } })
  const wrapper = ({ children }: { children: ReactNode }) =>
    createElement(WagmiProvider, { config, reconnectOnMount: false }, createElement(QueryClientProvider, { client: queryClient }, children))
  return { keys, config, wrapper }
}

async function prepared(keys: WalletKeys): Promise<PreparedGrant> {
  return prepareGrant({
    choices: {
      patient: keys.account.address,
      grantee: { kind: 'address', address: clinician },
      granteeName: 'Dr. Lee',
      scope: { categories: ['allergies', 'medications'], recordIds: [], actions: ['access'] },
      purpose: 'TREAT',
      validUntil: new Date(Number(await local.now()) * 1000 + 86_400_000),
      share: undefined,
    },
    registry,
    hostUrl: 'http://localhost:8787',
    now: new Date(Number(await local.now()) * 1000),
    readRecords: async () => [],
  })
}

describe('granting through wagmi on a real chain', () => {
  it('sends, confirms from the receipt, stores the block, and reads the grant as active; sending the same grant again keeps it', async () => {
    const { keys, wrapper } = await appLikeSetup('funded')
    const grant = await prepared(keys)
    const send = renderHook(() => useSendGrant(grant), { wrapper })
    const sent = await act(() => send.result.current.mutateAsync())
    expect(sent.hash).toMatch(/^0x[0-9a-f]{64}$/)

    const view = renderHook(
      () => {
        const consent = useConsent(grant.consent.id).data
        return { consent, confirmation: useGrantConfirmation(consent), status: useGrantStatus(consent) }
      },
      { wrapper },
    )
    await waitFor(() => expect(view.result.current.confirmation.phase).toBe('confirmed'), { timeout: 10_000 })
    await waitFor(() => expect(view.result.current.status.view.kind).toBe('active'), { timeout: 10_000 })
    const stored = await readConsent(await consentsStorageKey(keys.root), grant.consent.id)
    expect(stored?.state).toBe('recorded')
    expect(stored?.grantTx?.hash).toBe(sent.hash)
    expect(stored?.grantTx?.blockNumber).toBeGreaterThan(0n)
    expect(stored?.resource.status).toBe('active')

    // A retry of a grant whose first send looked failed but did land: kept, not doubled.
    const again = await act(() => send.result.current.mutateAsync())
    expect(again).toEqual({ consentId: grant.consent.id, shareId: undefined, hash: undefined })
    expect((await readConsents(await consentsStorageKey(keys.root))).consents).toHaveLength(1)
  })

  it('says the account has no funds, and keeps nothing', async () => {
    const { keys, wrapper } = await appLikeSetup('unfunded')
    const grant = await prepared(keys)
    const send = renderHook(() => useSendGrant(grant), { wrapper })
    await expect(act(() => send.result.current.mutateAsync())).rejects.toBeInstanceOf(NotEnoughFundsError)
    expect((await readConsents(await consentsStorageKey(keys.root))).consents).toEqual([])
  })

  it('refuses to send from a wallet on another network, and keeps nothing', async () => {
    const { keys, config, wrapper } = await appLikeSetup('funded')
    await switchChain(config, { chainId: 999 })
    const grant = await prepared(keys)
    const send = renderHook(() => useSendGrant(grant), { wrapper })
    await expect(act(() => send.result.current.mutateAsync())).rejects.toBeInstanceOf(WrongNetworkError)
    expect((await readConsents(await consentsStorageKey(keys.root))).consents).toEqual([])
  })

  it('says the network cannot be reached when the RPC is down', async () => {
    const grant = await prepared(walletKeys.funded)
    const { wrapper } = await appLikeSetup('funded', 'http://127.0.0.1:9')
    const send = renderHook(() => useSendGrant(grant), { wrapper })
    await expect(act(() => send.result.current.mutateAsync())).rejects.toBeInstanceOf(NetworkUnreachableError)
  })
})

describe('revoking through wagmi on a real chain', () => {
  it('revokes once, stores the revocation, and names the registry’s error on a second try', async () => {
    const { keys, wrapper } = await appLikeSetup('funded')
    const grant = await prepared(keys)
    const hooks = renderHook(() => ({ send: useSendGrant(grant), revoke: useRevokeGrant() }), { wrapper })
    const sent = await act(() => hooks.result.current.send.mutateAsync())
    await local.publicClient.waitForTransactionReceipt({ hash: sent.hash ?? '0x' })
    const target = { patient: keys.account.address, commitment: grant.consent.commitment, consentId: grant.consent.id }

    const revoked = await act(() => hooks.result.current.revoke.mutateAsync(target))
    expect(revoked.kind).toBe('revoked')
    const stored = await readConsent(await consentsStorageKey(keys.root), grant.consent.id)
    expect(stored?.revokeTx?.hash).toBe(revoked.transactionHash)
    expect(stored?.resource.status).toBe('inactive')

    await expect(act(() => hooks.result.current.revoke.mutateAsync(target))).rejects.toBeInstanceOf(GrantAlreadyRevokedError)
  })

  it('does not let another wallet revoke a grant', async () => {
    const { wrapper } = await appLikeSetup('unfunded')
    const revoke = renderHook(() => useRevokeGrant(), { wrapper })
    const someone: Address = '0x90F79bf6EB2c4f870365E785982E1f101E93b906'
    await expect(act(() => revoke.result.current.mutateAsync({ patient: someone, commitment: `0x${'11'.repeat(32)}`, consentId: undefined }))).rejects.toBeInstanceOf(
      NotYourGrantError,
    )
  })
})
