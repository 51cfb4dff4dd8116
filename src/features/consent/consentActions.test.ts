import 'fake-indexeddb/auto'
import {
  defineChain,
  encodeAbiParameters,
  encodeErrorResult,
  encodeEventTopics,
  getAddress,
  HttpRequestError,
  RpcRequestError,
  UserRejectedRequestError,
  type Address,
  type Hex,
  type TransactionReceipt,
} from 'viem'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createConfig, createConnector, custom, type Config } from 'wagmi'
import { connect } from 'wagmi/actions'
import { consentRegistryAbi } from '../../chain/consentRegistry.ts'
import { ConsentTransactionFailedError } from '../../chain/consentRegistryErrors.ts'
import { NetworkUnreachableError, SignatureRejectedError } from '../../chain/errors.ts'
import { GrantValidityEndedError } from '../../domain/consent/index.ts'
import { deriveWalletKeys, type WalletKeys } from '../../domain/wallet/keys.ts'
import { parseRecoveryPhrase } from '../../domain/wallet/mnemonic.ts'
import { consentsStorageKey, readConsent, readConsents, type StoredConsent } from '../../storage/consentsRepository.ts'
import { useDatabaseName } from '../../storage/db.ts'
import { readShares } from '../../storage/sharesRepository.ts'
import { WalletLockedError } from '../../domain/wallet/errors.ts'
import { confirmGrant, grantConsent, SigningWalletChangedError, type ConsentChainDeps } from './consentActions.ts'
import { prepareGrant, type PreparedGrant } from './prepareGrant.ts'

/**
 * The grant workflow without React: real storage (fake-indexeddb) and a wagmi config whose
 * connected wallet is an in-process fake, so each test decides what the wallet answers and can
 * look at what is stored at the moment the wallet is asked to sign.
 */
const registry = { chainId: 31337, address: '0x5FbDB2315678afecb367f032d93F642f64180aa3', fromBlock: 1n } as const
const clinician: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const now = new Date('2026-11-26T10:00:00Z')
const txHash: Hex = `0x${'ab'.repeat(32)}`

let keys: WalletKeys
let n = 0
beforeAll(async () => {
  keys = await deriveWalletKeys(parseRecoveryPhrase('test test test test test test test test test test test junk'))
})
beforeEach(async () => {
  await useDatabaseName(`consent-actions-${++n}`)
})

const stored = async () => (await readConsents(await consentsStorageKey(keys.root))).consents
const storedOne = async (id: string) => readConsent(await consentsStorageKey(keys.root), id)

/** What the fake wallet does when asked to send a transaction. */
type SendTransaction = (request: { to?: string; data?: string }) => Promise<Hex>

/** A wagmi config on chain 31337 whose only connector is a wallet that answers with `send`. */
async function walletThat(send: SendTransaction): Promise<Config> {
  const chain = defineChain({ id: 31337, name: 'anvil', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: ['http://127.0.0.1:1'] } } })
  const account = getAddress(keys.account.address)
  const request = async ({ method, params }: { method: string; params?: unknown }): Promise<unknown> => {
    if (method === 'eth_chainId') return '0x7a69'
    if (method === 'eth_accounts' || method === 'eth_requestAccounts') return [account]
    if (method === 'eth_sendTransaction') return send((params as [{ to?: string; data?: string }])[0])
    throw new Error(`the fake wallet does not answer ${method}`)
  }
  const fakeWallet = createConnector(() => ({
    id: 'fake',
    name: 'Fake wallet',
    type: 'fake',
    connect: async () => ({ accounts: [account], chainId: chain.id }) as never,
    disconnect: async () => {},
    getAccounts: async () => [account],
    getChainId: async () => chain.id,
    getProvider: async () => ({ request }),
    isAuthorized: async () => true,
    onAccountsChanged: () => {},
    onChainChanged: () => {},
    onDisconnect: () => {},
  }))
  const config: Config = createConfig({ chains: [chain], connectors: [fakeWallet], transports: { [chain.id]: custom({ request }) }, storage: null })
  const [connector] = config.connectors
  if (!connector) throw new Error('no connector')
  await connect(config, { connector })
  return config
}

const deps = (config: Config, overrides: Partial<ConsentChainDeps> = {}): ConsentChainDeps => ({
  keys,
  config,
  registry,
  account: keys.account.address,
  now: () => now,
  ...overrides,
})

function prepared(withShare = false): Promise<PreparedGrant> {
  return prepareGrant({
    choices: {
      patient: keys.account.address,
      grantee: { kind: 'address', address: clinician },
      granteeName: 'Dr. Lee',
      scope: { categories: ['allergies'], recordIds: [], actions: ['access'] },
      purpose: 'TREAT',
      validUntil: new Date('2026-11-27T10:00:00Z'),
      share: withShare ? { label: 'For Dr. Lee', passcode: '2468' } : undefined,
    },
    registry,
    hostUrl: 'http://localhost:8787',
    now,
    readRecords: async () => [{ id: 'r1', resource: { resourceType: 'AllergyIntolerance', patient: {}, code: { text: 'Peanut' } } }],
  })
}

/** The registry's revert for a grant it already holds, as an RPC node reports it. */
const alreadyRecorded = (commitment: Hex) =>
  new RpcRequestError({
    body: { method: 'eth_sendTransaction' },
    url: 'fake',
    error: { code: 3, message: 'execution reverted', data: encodeErrorResult({ abi: consentRegistryAbi, errorName: 'GrantAlreadyRecorded', args: [commitment] }) },
  })

describe('grantConsent', () => {
  it('stores the grant before the wallet signs, sends it to the registry, then stores the hash', async () => {
    const grant = await prepared(true)
    const seenWhenSigning: (StoredConsent | undefined)[] = []
    const sentTo: (string | undefined)[] = []
    const config = await walletThat(async (tx) => {
      seenWhenSigning.push(await storedOne(grant.consent.id))
      sentTo.push(tx.to)
      return txHash
    })

    const sent = await grantConsent(deps(config), grant)

    expect(sent).toEqual({ consentId: grant.consent.id, shareId: grant.share?.id, hash: txHash })
    expect(seenWhenSigning.map((c) => c?.state)).toEqual(['signing'])
    expect(sentTo.map((to) => to?.toLowerCase())).toEqual([registry.address.toLowerCase()])
    expect(await storedOne(grant.consent.id)).toMatchObject({ state: 'submitted', grantTx: { hash: txHash, blockNumber: undefined } })
    expect((await readShares(await consentsStorageKey(keys.root))).shares.map((s) => s.id)).toEqual([grant.share?.id])
  })

  it('removes the grant and its share again when the wallet declines, and says so', async () => {
    const grant = await prepared(true)
    const config = await walletThat(() => Promise.reject(new UserRejectedRequestError(new Error('User rejected the request.'))))
    await expect(grantConsent(deps(config), grant)).rejects.toBeInstanceOf(SignatureRejectedError)
    expect(await stored()).toEqual([])
    expect((await readShares(await consentsStorageKey(keys.root))).shares).toEqual([])
  })

  it('removes the grant again when the chain cannot be reached', async () => {
    const grant = await prepared()
    const config = await walletThat(() => Promise.reject(new HttpRequestError({ url: 'http://127.0.0.1:9', details: 'fetch failed' })))
    await expect(grantConsent(deps(config), grant)).rejects.toBeInstanceOf(NetworkUnreachableError)
    expect(await stored()).toEqual([])
  })

  it('keeps a grant the registry already holds (a retry after an unclear failure), without a hash', async () => {
    const grant = await prepared()
    const config = await walletThat(() => Promise.reject(alreadyRecorded(grant.consent.commitment)))
    expect(await grantConsent(deps(config), grant)).toEqual({ consentId: grant.consent.id, shareId: undefined, hash: undefined })
    expect((await stored()).map((c) => [c.id, c.state])).toEqual([[grant.consent.id, 'signing']])
  })

  it('stores nothing and asks no wallet when locked, when another wallet is connected, or when the terms already ended', async () => {
    const grant = await prepared()
    let asked = 0
    const config = await walletThat(async () => {
      asked++
      return txHash
    })
    await expect(grantConsent(deps(config, { keys: undefined }), grant)).rejects.toBeInstanceOf(WalletLockedError)
    await expect(grantConsent(deps(config, { account: clinician }), grant)).rejects.toBeInstanceOf(SigningWalletChangedError)
    await expect(grantConsent(deps(config, { now: () => new Date('2026-11-28T10:00:00Z') }), grant)).rejects.toBeInstanceOf(GrantValidityEndedError)
    expect(asked).toBe(0)
    expect(await stored()).toEqual([])
  })
})

/** A mined receipt of the registry with the ConsentGranted event of `commitment` (or none). */
function receipt(commitment: Hex | undefined, status: 'success' | 'reverted' = 'success'): TransactionReceipt {
  const logs = commitment
    ? [
        {
          address: registry.address,
          topics: encodeEventTopics({ abi: consentRegistryAbi, eventName: 'ConsentGranted', args: { patient: keys.account.address, commitment } }),
          data: encodeAbiParameters([{ type: 'uint64' }], [1_795_000_000n]),
          blockNumber: 42n,
          transactionHash: txHash,
          logIndex: 0,
          blockHash: `0x${'cd'.repeat(32)}`,
          transactionIndex: 0,
          removed: false,
        },
      ]
    : []
  return { status, logs, blockNumber: 42n, transactionHash: txHash } as unknown as TransactionReceipt
}

describe('confirmGrant', () => {
  async function sentGrant() {
    const grant = await prepared()
    await grantConsent(deps(await walletThat(async () => txHash)), grant)
    return grant
  }

  it('marks the grant recorded, with its block, when the receipt shows it: the FHIR Consent becomes active', async () => {
    const grant = await sentGrant()
    await confirmGrant({ keys, registry }, { consentId: grant.consent.id, commitment: grant.consent.commitment, receipt: receipt(grant.consent.commitment) })
    expect(await storedOne(grant.consent.id)).toMatchObject({ state: 'recorded', grantTx: { hash: txHash, blockNumber: 42n }, resource: { status: 'active' } })
  })

  it('marks the grant failed, with the reason, when the transaction reverted or recorded something else', async () => {
    const reverted = await sentGrant()
    const confirm = (grant: PreparedGrant, r: TransactionReceipt) =>
      confirmGrant({ keys, registry }, { consentId: grant.consent.id, commitment: grant.consent.commitment, receipt: r })
    await expect(confirm(reverted, receipt(undefined, 'reverted'))).rejects.toBeInstanceOf(ConsentTransactionFailedError)
    expect(await storedOne(reverted.consent.id)).toMatchObject({ state: 'failed', failure: 'The network did not record this change: the transaction was reverted.', resource: { status: 'rejected' } })

    const other = await sentGrant()
    await expect(confirm(other, receipt(`0x${'99'.repeat(32)}`))).rejects.toBeInstanceOf(ConsentTransactionFailedError)
    expect(await storedOne(other.consent.id)).toMatchObject({ state: 'failed', failure: 'The network did not record this change: the transaction did not record this consent.' })
  })
})
