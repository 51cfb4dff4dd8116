// @vitest-environment jsdom
import 'fake-indexeddb/auto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { act, renderHook, waitFor } from '@testing-library/react'
import { createElement, type ReactNode } from 'react'
import { defineChain, toFunctionSelector, type Address } from 'viem'
import { generatePrivateKey } from 'viem/accounts'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { createConfig, http, WagmiProvider, type Config } from 'wagmi'
import { connect, switchChain, waitForTransactionReceipt, writeContract } from 'wagmi/actions'
import { ANVIL_SPONSOR_KEY } from '../../../scripts/lib/anvil.ts'
import { startLocalChainForTests } from '../../../scripts/lib/chainFixture.ts'
import { freePort } from '../../../scripts/lib/ports.ts'
import { readShareHostConfig } from '../../../server/src/config.ts'
import { startShareHost, type RunningShareHost } from '../../../server/src/serve.ts'
import { grantRequest, readCommitmentStatus } from '../../chain/consentRegistry.ts'
import { GrantAlreadyRevokedError, NotYourGrantError, WrongNetworkError } from '../../chain/consentRegistryErrors.ts'
import { NetworkUnreachableError, NotEnoughFundsError } from '../../chain/errors.ts'
import { localWallet } from '../../chain/localWalletConnector.ts'
import { deriveWalletKeys, type WalletKeys } from '../../domain/wallet/keys.ts'
import { parseRecoveryPhrase } from '../../domain/wallet/mnemonic.ts'
import { RelayRefusedError, RelayUnreachableError, SponsorOutOfFundsError } from '../../shareHost/relay.ts'
import { consentsStorageKey, readConsent, readConsents } from '../../storage/consentsRepository.ts'
import { closeCareKeyDb, useDatabaseName } from '../../storage/db.ts'
import type * as PlatformConfig from '../../platform/config.ts'
import { keyring } from '../wallet/index.ts'
import { prepareGrantWithFreshKey, storePreparedGrant } from './consentActions.ts'
import { registry, useConsent, useGrantConfirmation, useGrantStatus, useRevokeGrant, useSendGrant } from './hooks.ts'
import { prepareGrant, type PreparedGrant } from './prepareGrant.ts'

/**
 * The grant and revoke hooks against a real anvil with the real ConsentRegistry and a real
 * share host with its sponsor relay, through wagmi and the CareKey wallet connector: what the
 * screens rely on for every outcome, through the sponsor and from the patient's account,
 * including the failures a relay, an injected wallet or a network can cause.
 */

// The hooks find the relay at the build's share host URL: here, the share host this file starts.
const shareHost = vi.hoisted(() => ({ url: 'http://127.0.0.1:9' }))
vi.mock('../../platform/config.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof PlatformConfig>()
  return {
    ...actual,
    appConfig: {
      ...actual.appConfig,
      get shareHostUrl() {
        return shareHost.url
      },
    },
  }
})

const local = startLocalChainForTests()
const clinician: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const FUNDED = 'test test test test test test test test test test test junk'
const UNFUNDED = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'

let walletKeys: Record<'funded' | 'unfunded', WalletKeys>
let n = 0
/** The share host whose sponsor is anvil's account 9, and one whose sponsor holds nothing. */
const hosts: Record<'sponsored' | 'broke', RunningShareHost | undefined> = { sponsored: undefined, broke: undefined }
const dirs: string[] = []

async function startHost(sponsorKey: `0x${string}`): Promise<RunningShareHost> {
  const dataDir = await mkdtemp(join(tmpdir(), 'carekey-grant-flow-'))
  dirs.push(dataDir)
  const port = await freePort()
  return startShareHost(
    readShareHostConfig({
      CAREKEY_CHAIN_ID: String(local.deployment.chainId),
      CAREKEY_RPC_URL: local.chain.rpcUrl,
      CAREKEY_CONSENT_REGISTRY: local.deployment.consentRegistry,
      CAREKEY_CONSENT_REGISTRY_BLOCK: String(local.deployment.deployBlock),
      CAREKEY_SHARE_HOST_URL: `http://localhost:${port}`,
      CAREKEY_SHARE_HOST_PORT: String(port),
      CAREKEY_SHARE_HOST_DATA_DIR: dataDir,
      CAREKEY_SHARE_HOST_RATE_LIMIT: '0',
      CAREKEY_RELAY_RATE_LIMIT: '0',
      CAREKEY_RELAY_POLL_MS: '25',
      CAREKEY_SPONSOR_PRIVATE_KEY: sponsorKey,
    }),
  )
}

beforeAll(async () => {
  hosts.sponsored = await startHost(ANVIL_SPONSOR_KEY)
  hosts.broke = await startHost(generatePrivateKey())
})
afterAll(async () => {
  await hosts.sponsored?.close()
  await hosts.broke?.close()
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

beforeEach(async () => {
  expect(local.deployment.consentRegistry.toLowerCase()).toBe(registry.address.toLowerCase())
  walletKeys ??= {
    funded: await deriveWalletKeys(parseRecoveryPhrase(FUNDED)),
    unfunded: await deriveWalletKeys(parseRecoveryPhrase(UNFUNDED)),
  }
  shareHost.url = hosts.sponsored?.url ?? 'http://127.0.0.1:9'
  await useDatabaseName(`grant-flow-${++n}`)
})
afterEach(async () => {
  keyring.clear()
  await closeCareKeyDb()
})

const revokeSelector = toFunctionSelector('revoke(bytes32)')
const storedConsents = async (keys: WalletKeys) => (await readConsents(await consentsStorageKey(keys.root))).consents
const statusOnChain = (grant: PreparedGrant) => readCommitmentStatus(local.publicClient, registry, grant.consent.terms.patient, grant.consent.commitment)

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

/** A grant to Dr. Lee for a day, made by the next unused per-grant key of this wallet. */
async function prepared(keys: WalletKeys): Promise<PreparedGrant> {
  const now = new Date(Number(await local.now()) * 1000)
  return prepareGrantWithFreshKey(keys, {
    choices: {
      patient: keys.account.address,
      grantee: { kind: 'address', address: clinician },
      granteeName: 'Dr. Lee',
      scope: { categories: ['allergies', 'medications'], recordIds: [], actions: ['access'] },
      purpose: 'TREAT',
      validUntil: new Date(now.getTime() + 86_400_000),
      share: undefined,
    },
    registry,
    hostUrl: 'http://localhost:8787',
    now,
    readRecords: async () => [],
  })
}

/** What the screen shows of a stored consent: its confirmation and its status on chain. */
function renderConsentView(id: string, wrapper: (props: { children: ReactNode }) => ReactNode) {
  return renderHook(
    () => {
      const consent = useConsent(id).data
      return { consent, confirmation: useGrantConfirmation(consent), status: useGrantStatus(consent) }
    },
    { wrapper },
  )
}

describe('granting through the sponsor on a real chain', () => {
  it('records a grant of a patient with no funds, signed by its per-grant key, and shows it confirmed and active', async () => {
    const { keys, wrapper } = await appLikeSetup('unfunded')
    expect(await local.publicClient.getBalance({ address: keys.account.address })).toBe(0n)
    const grant = await prepared(keys)
    const send = renderHook(() => useSendGrant(grant), { wrapper })
    const sent = await act(() => send.result.current.mutateAsync('sponsor'))
    expect(sent).toMatchObject({ consentId: grant.consent.id, sentBy: 'sponsor' })

    // On chain: sent by the sponsor, recorded for grant key 0, not for the account.
    const receipt = await local.publicClient.getTransactionReceipt({ hash: sent.hash ?? '0x' })
    expect(receipt.from.toLowerCase()).not.toBe(keys.account.address.toLowerCase())
    expect(grant.consent.terms.patient).toBe(keys.grantAccount(0).address)
    expect((await statusOnChain(grant)).status).toBe('active')

    const view = renderConsentView(grant.consent.id, wrapper)
    await waitFor(() => expect(view.result.current.confirmation.phase).toBe('confirmed'), { timeout: 10_000 })
    await waitFor(() => expect(view.result.current.status.view.kind).toBe('active'), { timeout: 10_000 })
    expect(await readConsent(await consentsStorageKey(keys.root), grant.consent.id)).toMatchObject({
      state: 'recorded',
      sentBy: 'sponsor',
      grantKeyIndex: 0,
      grantTx: { hash: sent.hash, blockNumber: receipt.blockNumber },
      resource: { status: 'active' },
    })

    // Sent again (a retry after a lost reply): the relay says it is recorded; kept, not doubled.
    const again = await act(() => send.result.current.mutateAsync('sponsor'))
    expect(again).toEqual({ consentId: grant.consent.id, shareId: undefined, hash: undefined, sentBy: 'sponsor' })
    expect(await storedConsents(keys)).toHaveLength(1)
  })

  it('says the sponsor is out of funds, and keeps nothing', async () => {
    shareHost.url = hosts.broke?.url ?? ''
    const { keys, wrapper } = await appLikeSetup('unfunded')
    const grant = await prepared(keys)
    const send = renderHook(() => useSendGrant(grant), { wrapper })
    await expect(act(() => send.result.current.mutateAsync('sponsor'))).rejects.toBeInstanceOf(SponsorOutOfFundsError)
    expect(await storedConsents(keys)).toEqual([])
    expect((await statusOnChain(grant)).status).toBe('unknown')
  })

  it('says the sponsor cannot be reached, and keeps nothing when the chain has no such grant', async () => {
    shareHost.url = 'http://127.0.0.1:9'
    const { keys, wrapper } = await appLikeSetup('unfunded')
    const grant = await prepared(keys)
    const send = renderHook(() => useSendGrant(grant), { wrapper })
    await expect(act(() => send.result.current.mutateAsync('sponsor'))).rejects.toBeInstanceOf(RelayUnreachableError)
    expect(await storedConsents(keys)).toEqual([])
  })

  it('keeps the grant when the reply was lost but the chain has it', async () => {
    const { keys, wrapper } = await appLikeSetup('unfunded')
    const grant = await prepared(keys)
    // The sponsor recorded it, then the connection dropped before the app heard back.
    const send = renderHook(() => useSendGrant(grant), { wrapper })
    await act(() => send.result.current.mutateAsync('sponsor'))
    shareHost.url = 'http://127.0.0.1:9'
    send.rerender()
    await expect(act(() => send.result.current.mutateAsync('sponsor'))).rejects.toBeInstanceOf(RelayUnreachableError)
    expect((await storedConsents(keys)).map((c) => [c.id, c.grantKeyIndex])).toEqual([[grant.consent.id, 0]])
  })
})

describe('granting from the account on a real chain', () => {
  it('sends grantBySig from the connected wallet, confirms from the receipt, and reads the grant as active; sending again keeps it', async () => {
    const { keys, wrapper } = await appLikeSetup('funded')
    const grant = await prepared(keys)
    const send = renderHook(() => useSendGrant(grant), { wrapper })
    const sent = await act(() => send.result.current.mutateAsync('account'))
    expect(sent.hash).toMatch(/^0x[0-9a-f]{64}$/)
    const tx = await local.publicClient.getTransaction({ hash: sent.hash ?? '0x' })
    expect(tx.from.toLowerCase()).toBe(keys.account.address.toLowerCase())

    const view = renderConsentView(grant.consent.id, wrapper)
    await waitFor(() => expect(view.result.current.confirmation.phase).toBe('confirmed'), { timeout: 10_000 })
    await waitFor(() => expect(view.result.current.status.view.kind).toBe('active'), { timeout: 10_000 })
    const stored = await readConsent(await consentsStorageKey(keys.root), grant.consent.id)
    expect(stored).toMatchObject({ state: 'recorded', sentBy: 'account', grantKeyIndex: 0, grantTx: { hash: sent.hash }, resource: { status: 'active' } })
    expect(stored?.grantTx?.blockNumber).toBeGreaterThan(0n)
    // The registry recorded it for the per-grant key that signed, not for the account that paid.
    expect((await statusOnChain(grant)).status).toBe('active')
    expect((await readCommitmentStatus(local.publicClient, registry, keys.account.address, grant.consent.commitment)).status).toBe('unknown')

    const again = await act(() => send.result.current.mutateAsync('account'))
    expect(again).toEqual({ consentId: grant.consent.id, shareId: undefined, hash: undefined, sentBy: 'account' })
    expect(await storedConsents(keys)).toHaveLength(1)
  })

  it('says the account has no funds, and keeps nothing', async () => {
    const { keys, wrapper } = await appLikeSetup('unfunded')
    const grant = await prepared(keys)
    const send = renderHook(() => useSendGrant(grant), { wrapper })
    await expect(act(() => send.result.current.mutateAsync('account'))).rejects.toBeInstanceOf(NotEnoughFundsError)
    expect(await storedConsents(keys)).toEqual([])
  })

  it('refuses to send from a wallet on another network, and keeps nothing', async () => {
    const { keys, config, wrapper } = await appLikeSetup('funded')
    await switchChain(config, { chainId: 999 })
    const grant = await prepared(keys)
    const send = renderHook(() => useSendGrant(grant), { wrapper })
    await expect(act(() => send.result.current.mutateAsync('account'))).rejects.toBeInstanceOf(WrongNetworkError)
    expect(await storedConsents(keys)).toEqual([])
  })

  it('says the network cannot be reached when the RPC is down', async () => {
    const grant = await prepared(walletKeys.funded)
    const { keys, wrapper } = await appLikeSetup('funded', 'http://127.0.0.1:9')
    const send = renderHook(() => useSendGrant(grant), { wrapper })
    await expect(act(() => send.result.current.mutateAsync('account'))).rejects.toBeInstanceOf(NetworkUnreachableError)
    expect(await storedConsents(keys)).toEqual([])
  })
})

describe('revoking on a real chain', () => {
  async function recordedGrant(who: 'funded' | 'unfunded') {
    const setup = await appLikeSetup(who)
    const grant = await prepared(setup.keys)
    const hooks = renderHook(() => ({ send: useSendGrant(grant), revoke: useRevokeGrant() }), { wrapper: setup.wrapper })
    await act(() => hooks.result.current.send.mutateAsync('sponsor'))
    const { consent } = grant
    const target = { patient: consent.terms.patient, commitment: consent.commitment, consentId: consent.id, grantKeyIndex: consent.grantKeyIndex }
    return { ...setup, grant, hooks, target }
  }

  it('through the sponsor: signed by the grant’s key, stored, and refused the second time', async () => {
    const { keys, grant, hooks, target } = await recordedGrant('unfunded')
    const revoked = await act(() => hooks.result.current.revoke.mutateAsync(target))
    expect(revoked).toMatchObject({ kind: 'revoked', patient: keys.grantAccount(0).address, commitment: grant.consent.commitment })
    expect((await statusOnChain(grant)).status).toBe('revoked')
    expect(await readConsent(await consentsStorageKey(keys.root), grant.consent.id)).toMatchObject({
      revokeTx: { hash: revoked.transactionHash },
      resource: { status: 'inactive' },
    })
    const error: unknown = await act(() => hooks.result.current.revoke.mutateAsync(target).catch((e: unknown) => e))
    expect(error).toBeInstanceOf(RelayRefusedError)
    expect(error).toMatchObject({ code: 'already-revoked' })
  })

  it('from the account: revokeBySig sent and paid by the connected wallet, and the registry’s error named on a second try', async () => {
    const { keys, grant, hooks, target } = await recordedGrant('funded')
    const revoked = await act(() => hooks.result.current.revoke.mutateAsync({ ...target, via: 'account' }))
    expect((await local.publicClient.getTransaction({ hash: revoked.transactionHash })).from.toLowerCase()).toBe(keys.account.address.toLowerCase())
    expect(revoked).toMatchObject({ kind: 'revoked', patient: keys.grantAccount(0).address })
    expect((await statusOnChain(grant)).status).toBe('revoked')
    expect(await readConsent(await consentsStorageKey(keys.root), grant.consent.id)).toMatchObject({ revokeTx: { hash: revoked.transactionHash }, resource: { status: 'inactive' } })
    await expect(act(() => hooks.result.current.revoke.mutateAsync({ ...target, via: 'account' }))).rejects.toBeInstanceOf(GrantAlreadyRevokedError)
  })

  it('a legacy grant made from the main account (no grant key) is revoked by that account with revoke', async () => {
    const { keys, config, wrapper } = await appLikeSetup('funded')
    // Made as before per-grant keys: the main account is the patient and sent `grant` itself.
    const now = new Date(Number(await local.now()) * 1000)
    const legacy = await prepareGrant({
      choices: {
        patient: keys.account.address,
        grantee: { kind: 'address', address: clinician },
        granteeName: 'Dr. Lee',
        scope: { categories: ['allergies'], recordIds: [], actions: ['access'] },
        purpose: 'TREAT',
        validUntil: new Date(now.getTime() + 86_400_000),
        share: undefined,
      },
      registry,
      hostUrl: 'http://localhost:8787',
      now,
      readRecords: async () => [],
      grantKeyIndex: 0,
    })
    const consent = { ...legacy.consent, grantKeyIndex: undefined, state: 'recorded' as const }
    await storePreparedGrant(keys, { consent, share: undefined })
    const hash = await writeContract(config, grantRequest(registry, consent.terms))
    await waitForTransactionReceipt(config, { hash })
    expect((await statusOnChain(legacy)).status).toBe('active')

    const revoke = renderHook(() => useRevokeGrant(), { wrapper })
    const target = { patient: keys.account.address, commitment: consent.commitment, consentId: consent.id, grantKeyIndex: undefined }
    const revoked = await act(() => revoke.result.current.mutateAsync(target))
    const tx = await local.publicClient.getTransaction({ hash: revoked.transactionHash })
    expect(tx.from.toLowerCase()).toBe(keys.account.address.toLowerCase())
    expect(tx.input.slice(0, 10)).toBe(revokeSelector)
    expect((await statusOnChain(legacy)).status).toBe('revoked')
    expect(await readConsent(await consentsStorageKey(keys.root), consent.id)).toMatchObject({ revokeTx: { hash: revoked.transactionHash }, resource: { status: 'inactive' } })
  })

  it('does not let another wallet revoke a legacy grant', async () => {
    const { wrapper } = await appLikeSetup('unfunded')
    const revoke = renderHook(() => useRevokeGrant(), { wrapper })
    const someone: Address = '0x90F79bf6EB2c4f870365E785982E1f101E93b906'
    await expect(act(() => revoke.result.current.mutateAsync({ patient: someone, commitment: `0x${'11'.repeat(32)}`, consentId: undefined }))).rejects.toBeInstanceOf(
      NotYourGrantError,
    )
  })
})
