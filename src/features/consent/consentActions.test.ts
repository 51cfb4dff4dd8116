import 'fake-indexeddb/auto'
import {
  compactSignatureToSignature,
  createPublicClient,
  decodeFunctionData,
  defineChain,
  encodeAbiParameters,
  encodeErrorResult,
  encodeEventTopics,
  encodeFunctionResult,
  getAddress,
  HttpRequestError,
  isAddressEqual,
  recoverTypedDataAddress,
  RpcRequestError,
  UserRejectedRequestError,
  type Address,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
} from 'viem'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createConfig, createConnector, custom, type Config } from 'wagmi'
import { connect } from 'wagmi/actions'
import { consentRegistryAbi } from '../../chain/consentRegistry.ts'
import { ConsentTransactionFailedError, NotYourGrantError } from '../../chain/consentRegistryErrors.ts'
import { NetworkUnreachableError, SignatureRejectedError } from '../../chain/errors.ts'
import {
  GrantValidityEndedError,
  grantTypedData,
  relayGrantRequestSchema,
  relayRevokeRequestSchema,
  revokeTypedData,
  type GrantStatus,
  type RelayErrorCode,
} from '../../domain/consent/index.ts'
import { deriveWalletKeys, type WalletKeys } from '../../domain/wallet/keys.ts'
import { parseRecoveryPhrase } from '../../domain/wallet/mnemonic.ts'
import { WalletLockedError } from '../../domain/wallet/errors.ts'
import {
  RelayRateLimitedError,
  RelayRefusedError,
  RelayUnreachableError,
  SponsorOutOfFundsError,
  type RelayClientConfig,
} from '../../shareHost/relay.ts'
import { consentsStorageKey, readConsent, readConsents, type StoredConsent } from '../../storage/consentsRepository.ts'
import { useDatabaseName } from '../../storage/db.ts'
import { readShares } from '../../storage/sharesRepository.ts'
import {
  confirmGrant,
  discardGrant,
  GrantKeyMismatchError,
  grantConsent,
  nextGrantKeyIndex,
  prepareGrantWithFreshKey,
  revokeGrant,
  SigningWalletChangedError,
  storePreparedGrant,
  type SignedConsentDeps,
} from './consentActions.ts'
import type { PreparedGrant } from './prepareGrant.ts'

/**
 * The grant and revoke workflows without React: real storage (fake-indexeddb), a fake sponsor
 * relay (its `fetch`) that checks who signed what it is asked to record, a wagmi config whose
 * connected wallet is an in-process fake, and a fake chain read. Each test decides what they
 * answer, and can look at what is stored at the moment the relay or the wallet is asked.
 */
const registry = { chainId: 31337, address: '0x5FbDB2315678afecb367f032d93F642f64180aa3', fromBlock: 1n } as const
const location = { chainId: registry.chainId, registry: registry.address }
const clinician: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const now = new Date('2026-11-26T10:00:00Z')
const txHash: Hex = `0x${'ab'.repeat(32)}`
const chain = defineChain({ id: 31337, name: 'anvil', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: ['http://127.0.0.1:1'] } } })

let keys: WalletKeys
let n = 0
beforeAll(async () => {
  keys = await deriveWalletKeys(parseRecoveryPhrase('test test test test test test test test test test test junk'))
})
beforeEach(async () => {
  await useDatabaseName(`consent-actions-${++n}`)
})

const storageKey = () => consentsStorageKey(keys.root)
const stored = async () => (await readConsents(await storageKey())).consents
const storedOne = async (id: string) => readConsent(await storageKey(), id)
const storedShares = async () => (await readShares(await storageKey())).shares

// ---------------------------------------------------------------------------------------------
// The fake relay

/** What the fake relay saw of one request: the route, who signed it, and what was stored then. */
type RelayCall = { route: 'grant' | 'revoke'; patient: Address; signer: Address; commitment: Hex; validUntil: bigint | undefined; storedThen: StoredConsent[] }

/** What the fake relay answers: a mined transaction, an error reply, or a network failure. */
type RelayAnswer = { mined: { blockNumber: number } } | { refuse: { status: number; code: RelayErrorCode; retryAfter?: number } } | { fail: 'network' }

/** A relay client whose `fetch` is a fake relay: it parses the request and recovers its signer like the real one. */
function relayThat(answer: RelayAnswer | ((call: RelayCall) => RelayAnswer)): { relay: RelayClientConfig; calls: RelayCall[] } {
  const calls: RelayCall[] = []
  const fetch = async (url: string, init?: RequestInit): Promise<Response> => {
    if (typeof init?.body !== 'string') throw new Error('the fake relay expects a JSON body')
    const body: unknown = JSON.parse(init.body)
    let call: RelayCall
    if (url === 'http://relay.test/api/relay/grant') {
      const request = relayGrantRequestSchema.parse(body)
      const message = { commitment: request.commitment, validUntil: BigInt(request.validUntil), deadline: BigInt(request.deadline) }
      const signer = await recoverTypedDataAddress({ ...grantTypedData({ chainId: request.chainId, registry: request.registry }, message), signature: request.signature })
      call = { route: 'grant', patient: request.patient, signer, commitment: request.commitment, validUntil: message.validUntil, storedThen: await stored() }
    } else if (url === 'http://relay.test/api/relay/revoke') {
      const request = relayRevokeRequestSchema.parse(body)
      const message = { commitment: request.commitment, deadline: BigInt(request.deadline) }
      const signer = await recoverTypedDataAddress({ ...revokeTypedData({ chainId: request.chainId, registry: request.registry }, message), signature: request.signature })
      call = { route: 'revoke', patient: request.patient, signer, commitment: request.commitment, validUntil: undefined, storedThen: await stored() }
    } else {
      throw new Error(`the fake relay has no ${url}`)
    }
    calls.push(call)
    const reply = typeof answer === 'function' ? answer(call) : answer
    if ('fail' in reply) throw new TypeError('fetch failed')
    const json = { 'content-type': 'application/json' }
    if ('mined' in reply) return new Response(JSON.stringify({ transactionHash: txHash, blockNumber: reply.mined.blockNumber, patient: call.patient }), { headers: json })
    const { status, code, retryAfter } = reply.refuse
    return new Response(JSON.stringify({ error: code }), { status, headers: { ...json, ...(retryAfter && { 'retry-after': String(retryAfter) }) } })
  }
  return { relay: { shareHostUrl: 'http://relay.test', fetch }, calls }
}

// ---------------------------------------------------------------------------------------------
// The fake wallet and chain

/** What the fake wallet does when asked to send a transaction. */
type SendTransaction = (request: { to?: string; data?: Hex }) => Promise<Hex>

/** A wagmi config on chain 31337 whose only connector is a wallet (the main account) that answers with `send`. */
async function walletThat(send: SendTransaction): Promise<Config> {
  const account = getAddress(keys.account.address)
  const request = async ({ method, params }: { method: string; params?: unknown }): Promise<unknown> => {
    if (method === 'eth_chainId') return '0x7a69'
    if (method === 'eth_accounts' || method === 'eth_requestAccounts') return [account]
    if (method === 'eth_sendTransaction') return send((params as [{ to?: string; data?: Hex }])[0])
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

/** A wallet that must not be asked: the sponsor path never uses it. */
const untouchedWallet = () => walletThat(() => Promise.reject(new Error('the wallet was asked to send')))

/** A chain whose registry says `status` for every commitment, or that cannot be reached. */
function chainSaying(status: GrantStatus | 'unreachable'): PublicClient {
  const request = async ({ method }: { method: string }): Promise<unknown> => {
    if (method === 'eth_chainId') return '0x7a69'
    if (status === 'unreachable' || method !== 'eth_call') throw new HttpRequestError({ url: 'http://127.0.0.1:9', details: 'fetch failed' })
    const raw = ['unknown', 'active', 'revoked', 'expired', 'pending'].indexOf(status)
    return encodeFunctionResult({ abi: consentRegistryAbi, functionName: 'statusOfCommitment', result: [raw, status === 'unknown' ? 0n : 1_795_000_000n] })
  }
  return createPublicClient({ chain, transport: custom({ request }, { retryCount: 0 }) })
}

const deps = (config: Config, relay: RelayClientConfig, overrides: Partial<SignedConsentDeps> = {}): SignedConsentDeps => ({
  keys,
  config,
  registry,
  account: keys.account.address,
  now: () => now,
  relay,
  client: chainSaying('unknown'),
  ...overrides,
})

/** A grant to Dr. Lee made by the next unused per-grant key, with a share if asked. */
function prepared(withShare = false, validUntil = new Date('2026-11-27T10:00:00Z')): Promise<PreparedGrant> {
  return prepareGrantWithFreshKey(keys, {
    choices: {
      patient: keys.account.address,
      grantee: { kind: 'address', address: clinician },
      granteeName: 'Dr. Lee',
      scope: { categories: ['allergies'], recordIds: [], actions: ['access'] },
      purpose: 'TREAT',
      validUntil,
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

/** The grantBySig call a wallet was asked to send, with the address that signed it. */
async function signedGrantCall(data: Hex | undefined) {
  const call = decodeFunctionData({ abi: consentRegistryAbi, data: data ?? '0x' })
  if (call.functionName !== 'grantBySig') throw new Error(`expected grantBySig, the wallet was asked for ${call.functionName}`)
  const [commitment, validUntil, deadline, r, vs] = call.args
  const signer = await recoverTypedDataAddress({ ...grantTypedData(location, { commitment, validUntil, deadline }), signature: compactSignatureToSignature({ r, yParityAndS: vs }) })
  return { commitment, validUntil, deadline, signer }
}

// ---------------------------------------------------------------------------------------------

describe('preparing a grant with a fresh key', () => {
  it('makes the next unused per-grant key the patient, never the main account, and keeps its index', async () => {
    const grant = await prepared()
    expect(grant.consent.grantKeyIndex).toBe(0)
    expect(grant.consent.terms.patient).toBe(keys.grantAccount(0).address)
    expect(isAddressEqual(grant.consent.terms.patient, keys.account.address)).toBe(false)
    await expect(prepareGrantWithFreshKey(undefined, preparation())).rejects.toBeInstanceOf(WalletLockedError)
  })
})

describe('nextGrantKeyIndex', () => {
  it('starts at the first index not used on chain, then goes one past the highest stored, whatever the order', async () => {
    expect(await nextGrantKeyIndex(keys)).toBe(0)
    // A restored wallet whose discovery found grants up to key 4.
    expect(await nextGrantKeyIndex(keys, 5)).toBe(5)
    const first = await prepareGrantWithFreshKey(keys, preparation(), 5)
    expect(first.consent.grantKeyIndex).toBe(5)
    await storePreparedGrant(keys, first)
    expect(await nextGrantKeyIndex(keys)).toBe(6)
    // The chain knows of more than this device: the chain wins.
    expect(await nextGrantKeyIndex(keys, 9)).toBe(9)
  })

  it('never gives again the index of a stored grant, even when one in between was discarded', async () => {
    const a = await prepared()
    await storePreparedGrant(keys, a)
    const b = await prepared()
    await storePreparedGrant(keys, b)
    const c = await prepared()
    await storePreparedGrant(keys, c)
    expect([a, b, c].map((g) => g.consent.grantKeyIndex)).toEqual([0, 1, 2])
    await discardGrant(keys, b.consent)
    const d = await prepared()
    expect(d.consent.grantKeyIndex).toBe(3)
    expect(d.consent.terms.patient).toBe(keys.grantAccount(3).address)
    expect(new Set([a, c, d].map((g) => g.consent.terms.patient)).size).toBe(3)
  })

  it('gives again the index of the newest grant when the relay refused it: nothing was recorded by that key, and no gap counts against a restore', async () => {
    const { relay } = relayThat({ refuse: { status: 400, code: 'invalid-signature' } })
    const refused = await prepared()
    await expect(grantConsent(deps(await untouchedWallet(), relay), refused)).rejects.toBeInstanceOf(RelayRefusedError)
    expect((await prepared()).consent.grantKeyIndex).toBe(refused.consent.grantKeyIndex)
  })
})

/** The parts of a preparation every grant here shares (the patient is replaced by the fresh key). */
function preparation() {
  return {
    choices: {
      patient: keys.account.address,
      grantee: { kind: 'address', address: clinician },
      granteeName: 'Dr. Lee',
      scope: { categories: ['allergies'], recordIds: [], actions: ['access'] },
      purpose: 'TREAT',
      validUntil: new Date('2026-11-27T10:00:00Z'),
      share: undefined,
    },
    registry,
    hostUrl: 'http://localhost:8787',
    now,
    readRecords: async () => [],
  } as const satisfies Parameters<typeof prepareGrantWithFreshKey>[1]
}

describe('grantConsent through the sponsor', () => {
  it('stores the grant first, signs it with its per-grant key, has the relay record it, then stores it recorded', async () => {
    await storePreparedGrant(keys, await prepared())
    const grant = await prepared(true)
    expect(grant.consent.grantKeyIndex).toBe(1)
    const { relay, calls } = relayThat({ mined: { blockNumber: 42 } })

    const sent = await grantConsent(deps(await untouchedWallet(), relay), grant, 'sponsor')

    expect(sent).toEqual({ consentId: grant.consent.id, shareId: grant.share?.id, hash: txHash, sentBy: 'sponsor' })
    const [call] = calls
    expect(calls).toHaveLength(1)
    expect(call).toMatchObject({ route: 'grant', commitment: grant.consent.commitment, validUntil: grant.consent.terms.validUntil })
    // Signed by grant key 1 alone: the relay and the chain learn that address, not the account.
    expect(call?.signer).toBe(keys.grantAccount(1).address)
    expect(call?.patient).toBe(keys.grantAccount(1).address)
    // Stored, with who sends it, before anything left the device.
    expect(call?.storedThen.find((c) => c.id === grant.consent.id)).toMatchObject({ state: 'signing', sentBy: 'sponsor', grantKeyIndex: 1 })
    expect(await storedOne(grant.consent.id)).toMatchObject({
      state: 'recorded',
      sentBy: 'sponsor',
      grantKeyIndex: 1,
      grantTx: { hash: txHash, blockNumber: 42n },
      resource: { status: 'active' },
    })
    expect((await storedShares()).map((s) => s.id)).toEqual([grant.share?.id])
  })

  it.each([
    ['the sponsor is out of funds', { refuse: { status: 503, code: 'sponsor-out-of-funds' } }, SponsorOutOfFundsError],
    ['the relay limits this client', { refuse: { status: 429, code: 'rate-limited', retryAfter: 30 } }, RelayRateLimitedError],
    ['the sponsor spent its gas for today', { refuse: { status: 429, code: 'daily-gas-limit' } }, RelayRateLimitedError],
    ['the relay refuses the signature', { refuse: { status: 400, code: 'invalid-signature' } }, RelayRefusedError],
    ['the relay cannot be reached and the chain has no such grant', { fail: 'network' }, RelayUnreachableError],
  ] as const)('removes the grant and its share again, and says so, when %s', async (_, answer, errorClass) => {
    const grant = await prepared(true)
    const { relay, calls } = relayThat(answer)
    const error: unknown = await grantConsent(deps(await untouchedWallet(), relay), grant).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(errorClass)
    expect(calls).toHaveLength(1)
    expect(await stored()).toEqual([])
    expect(await storedShares()).toEqual([])
  })

  it('says which limit was hit and when to try again', async () => {
    const { relay } = relayThat({ refuse: { status: 429, code: 'daily-gas-limit', retryAfter: 7200 } })
    const error: unknown = await grantConsent(deps(await untouchedWallet(), relay), await prepared()).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'daily-gas-limit', retryAfterSeconds: 7200, hint: 'Try again in 2 hours.' })
  })

  it.each([
    ['cannot be reached', 'active', { fail: 'network' }, RelayUnreachableError],
    ['could not confirm it', 'active', { refuse: { status: 504, code: 'not-confirmed' } }, RelayRefusedError],
    // Sent, not yet mined: the chain cannot know it yet, and it may still land.
    ['could not confirm it', 'unknown', { refuse: { status: 504, code: 'not-confirmed' } }, RelayRefusedError],
    ['cannot be reached', 'unreachable', { fail: 'network' }, RelayUnreachableError],
  ] as const)('keeps the grant and says so when the relay %s and the chain reads %s (it may have landed)', async (_, chainSays, answer, errorClass) => {
    const grant = await prepared(true)
    const { relay } = relayThat(answer)
    await expect(grantConsent(deps(await untouchedWallet(), relay, { client: chainSaying(chainSays) }), grant)).rejects.toBeInstanceOf(errorClass)
    expect((await stored()).map((c) => [c.id, c.state, c.sentBy])).toEqual([[grant.consent.id, 'signing', 'sponsor']])
    expect((await storedShares()).map((s) => s.id)).toEqual([grant.share?.id])
    // Its key stays taken.
    expect(await nextGrantKeyIndex(keys)).toBe(1)
  })

  it('keeps a grant the registry already holds (a retry after a lost reply), without a hash', async () => {
    const grant = await prepared()
    const { relay } = relayThat({ refuse: { status: 409, code: 'already-recorded' } })
    expect(await grantConsent(deps(await untouchedWallet(), relay), grant)).toEqual({ consentId: grant.consent.id, shareId: undefined, hash: undefined, sentBy: 'sponsor' })
    expect((await stored()).map((c) => [c.id, c.state])).toEqual([[grant.consent.id, 'signing']])
  })

  it('stores nothing and sends nothing when locked, when the grant was prepared for another key, or when the terms already ended', async () => {
    const grant = await prepared()
    const { relay, calls } = relayThat({ mined: { blockNumber: 42 } })
    const config = await untouchedWallet()
    await expect(grantConsent(deps(config, relay, { keys: undefined }), grant)).rejects.toBeInstanceOf(WalletLockedError)
    // A grant whose patient is not the key at its index (another wallet's, or the main account's).
    const otherKey = { ...grant, consent: { ...grant.consent, grantKeyIndex: 1 } }
    await expect(grantConsent(deps(config, relay), otherKey)).rejects.toBeInstanceOf(GrantKeyMismatchError)
    const noKey = { ...grant, consent: { ...grant.consent, grantKeyIndex: undefined } }
    await expect(grantConsent(deps(config, relay), noKey)).rejects.toBeInstanceOf(GrantKeyMismatchError)
    await expect(grantConsent(deps(config, relay, { now: () => new Date('2026-11-28T10:00:00Z') }), grant)).rejects.toBeInstanceOf(GrantValidityEndedError)
    expect(calls).toEqual([])
    expect(await stored()).toEqual([])
  })
})

describe('grantConsent from the account', () => {
  it('stores the grant first, then the connected wallet sends grantBySig signed by the per-grant key, and the hash is stored', async () => {
    const grant = await prepared(true)
    const seenWhenSending: (StoredConsent | undefined)[] = []
    const asked: Awaited<ReturnType<typeof signedGrantCall>>[] = []
    const sentTo: (string | undefined)[] = []
    const config = await walletThat(async (tx) => {
      seenWhenSending.push(await storedOne(grant.consent.id))
      sentTo.push(tx.to)
      asked.push(await signedGrantCall(tx.data))
      return txHash
    })
    const { relay, calls } = relayThat({ mined: { blockNumber: 42 } })

    const sent = await grantConsent(deps(config, relay), grant, 'account')

    expect(sent).toEqual({ consentId: grant.consent.id, shareId: grant.share?.id, hash: txHash, sentBy: 'account' })
    expect(calls).toEqual([])
    expect(seenWhenSending.map((c) => [c?.state, c?.sentBy])).toEqual([['signing', 'account']])
    expect(sentTo.map((to) => to?.toLowerCase())).toEqual([registry.address.toLowerCase()])
    expect(asked).toEqual([{ commitment: grant.consent.commitment, validUntil: grant.consent.terms.validUntil, deadline: expect.any(BigInt) as unknown, signer: keys.grantAccount(0).address }])
    expect(await storedOne(grant.consent.id)).toMatchObject({ state: 'submitted', sentBy: 'account', grantTx: { hash: txHash, blockNumber: undefined } })
    expect((await storedShares()).map((s) => s.id)).toEqual([grant.share?.id])
  })

  it('removes the grant and its share again when the wallet declines, and says so', async () => {
    const grant = await prepared(true)
    const config = await walletThat(() => Promise.reject(new UserRejectedRequestError(new Error('User rejected the request.'))))
    await expect(grantConsent(deps(config, relayThat({ fail: 'network' }).relay), grant, 'account')).rejects.toBeInstanceOf(SignatureRejectedError)
    expect(await stored()).toEqual([])
    expect(await storedShares()).toEqual([])
  })

  it('removes the grant again when the chain cannot be reached', async () => {
    const grant = await prepared()
    const config = await walletThat(() => Promise.reject(new HttpRequestError({ url: 'http://127.0.0.1:9', details: 'fetch failed' })))
    await expect(grantConsent(deps(config, relayThat({ fail: 'network' }).relay), grant, 'account')).rejects.toBeInstanceOf(NetworkUnreachableError)
    expect(await stored()).toEqual([])
  })

  it('keeps a grant the registry already holds, without a hash', async () => {
    const grant = await prepared()
    const config = await walletThat(() => Promise.reject(alreadyRecorded(grant.consent.commitment)))
    expect(await grantConsent(deps(config, relayThat({ fail: 'network' }).relay), grant, 'account')).toEqual({
      consentId: grant.consent.id,
      shareId: undefined,
      hash: undefined,
      sentBy: 'account',
    })
    expect((await stored()).map((c) => [c.id, c.state])).toEqual([[grant.consent.id, 'signing']])
  })

  it('stores nothing and asks no wallet when no wallet is connected', async () => {
    let asked = 0
    const config = await walletThat(async () => {
      asked++
      return txHash
    })
    await expect(grantConsent(deps(config, relayThat({ fail: 'network' }).relay, { account: undefined }), await prepared(), 'account')).rejects.toBeInstanceOf(
      SigningWalletChangedError,
    )
    expect(asked).toBe(0)
    expect(await stored()).toEqual([])
  })
})

/** A mined receipt of the registry with the ConsentGranted event of `commitment` by `patient` (or none). */
function receipt(patient: Address, commitment: Hex | undefined, status: 'success' | 'reverted' = 'success'): TransactionReceipt {
  const logs = commitment
    ? [
        {
          address: registry.address,
          topics: encodeEventTopics({ abi: consentRegistryAbi, eventName: 'ConsentGranted', args: { patient, commitment } }),
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

describe('confirmGrant (a grant the account sent)', () => {
  async function sentGrant() {
    const grant = await prepared()
    await grantConsent(deps(await walletThat(async () => txHash), relayThat({ fail: 'network' }).relay), grant, 'account')
    return grant
  }
  const confirm = (grant: PreparedGrant, r: TransactionReceipt) =>
    confirmGrant({ keys, registry }, { consentId: grant.consent.id, commitment: grant.consent.commitment, receipt: r })

  it('marks the grant recorded, with its block, when the receipt shows it: the FHIR Consent becomes active', async () => {
    const grant = await sentGrant()
    await confirm(grant, receipt(grant.consent.terms.patient, grant.consent.commitment))
    expect(await storedOne(grant.consent.id)).toMatchObject({ state: 'recorded', sentBy: 'account', grantTx: { hash: txHash, blockNumber: 42n }, resource: { status: 'active' } })
  })

  it('marks the grant failed, with the reason, when the transaction reverted or recorded something else', async () => {
    const reverted = await sentGrant()
    await expect(confirm(reverted, receipt(reverted.consent.terms.patient, undefined, 'reverted'))).rejects.toBeInstanceOf(ConsentTransactionFailedError)
    expect(await storedOne(reverted.consent.id)).toMatchObject({ state: 'failed', failure: 'The network did not record this change: the transaction was reverted.', resource: { status: 'rejected' } })

    const other = await sentGrant()
    await expect(confirm(other, receipt(other.consent.terms.patient, `0x${'99'.repeat(32)}`))).rejects.toBeInstanceOf(ConsentTransactionFailedError)
    expect(await storedOne(other.consent.id)).toMatchObject({ state: 'failed', failure: 'The network did not record this change: the transaction did not record this consent.' })
  })
})

describe('revokeGrant through the sponsor', () => {
  async function recordedGrant() {
    const grant = await prepared()
    await grantConsent(deps(await untouchedWallet(), relayThat({ mined: { blockNumber: 42 } }).relay), grant)
    const { consent } = grant
    return { grant, target: { patient: consent.terms.patient, commitment: consent.commitment, consentId: consent.id, grantKeyIndex: consent.grantKeyIndex } }
  }

  it('signs the revoke with the grant’s own key, has the relay record it, and stores the revocation', async () => {
    const { grant, target } = await recordedGrant()
    const { relay, calls } = relayThat({ mined: { blockNumber: 43 } })
    const revoked = await revokeGrant(deps(await untouchedWallet(), relay), target, 'sponsor')
    expect(revoked).toMatchObject({ kind: 'revoked', patient: keys.grantAccount(0).address, commitment: grant.consent.commitment, transactionHash: txHash, blockNumber: 43n })
    expect(calls.map((c) => [c.route, c.signer, c.patient, c.commitment])).toEqual([['revoke', keys.grantAccount(0).address, keys.grantAccount(0).address, grant.consent.commitment]])
    expect(await storedOne(grant.consent.id)).toMatchObject({ revokeTx: { hash: txHash, blockNumber: 43n }, resource: { status: 'inactive' } })
  })

  it('stores nothing when the relay refuses, and says which', async () => {
    const { grant, target } = await recordedGrant()
    const { relay } = relayThat({ refuse: { status: 503, code: 'sponsor-out-of-funds' } })
    await expect(revokeGrant(deps(await untouchedWallet(), relay), target)).rejects.toBeInstanceOf(SponsorOutOfFundsError)
    expect(await storedOne(grant.consent.id)).toMatchObject({ revokeTx: undefined, resource: { status: 'active' } })
  })

  it('refuses to sign for a grant whose patient is not the key at its index, or a legacy grant of another account', async () => {
    const { target } = await recordedGrant()
    const { relay, calls } = relayThat({ mined: { blockNumber: 43 } })
    const config = await untouchedWallet()
    await expect(revokeGrant(deps(config, relay), { ...target, grantKeyIndex: 1 })).rejects.toBeInstanceOf(NotYourGrantError)
    await expect(revokeGrant(deps(config, relay), { ...target, grantKeyIndex: undefined })).rejects.toBeInstanceOf(NotYourGrantError)
    await expect(revokeGrant(deps(config, relay, { keys: undefined }), target)).rejects.toBeInstanceOf(WalletLockedError)
    expect(calls).toEqual([])
  })
})
