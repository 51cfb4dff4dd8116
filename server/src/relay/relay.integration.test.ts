/**
 * The sponsor relay against a real anvil chain and the real ConsentRegistry: grants and revokes
 * signed by fresh per-grant keys, sent by the app's client over HTTP, submitted and paid for
 * by a sponsor account.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createTestClient, getAddress, hexToBytes, http, toEventSelector, toHex, type Address, type Hex, type TransactionReceipt } from 'viem'
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount, type LocalAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { consentRegistryAbi } from '../../../contracts/generated/ConsentRegistry.ts'
import { ANVIL_MNEMONIC, startLocalChainForTests } from '../../../scripts/lib/chainFixture.ts'
import { ANVIL_SPONSOR_KEY } from '../../../scripts/lib/anvil.ts'
import { freePort } from '../../../scripts/lib/ports.ts'
import {
  grantTypedData,
  revokeTypedData,
  SECP256K1_HALF_ORDER,
  type RegistryLocation,
  type SignedGrantMessage,
} from '../../../src/domain/consent/index.ts'
import {
  relayGrant,
  relayGrantRequest,
  relayRevoke,
  relayRevokeRequest,
  RelayRateLimitedError,
  RelayRefusedError,
  SponsorOutOfFundsError,
  type RelayClientConfig,
} from '../../../src/shareHost/relay.ts'
import { createShareHostApp } from '../app.ts'
import { readShareHostConfig } from '../config.ts'
import { startShareHost, type RunningShareHost } from '../serve.ts'

const local = startLocalChainForTests()
const keyOf = (index: number) => toHex(mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: index }).getHdKey().privateKey ?? new Uint8Array())

let host: RunningShareHost
let relay: RelayClientConfig
let location: RegistryLocation
const dirs: string[] = []

const baseEnv = () => ({
  CAREKEY_CHAIN_ID: String(local.deployment.chainId),
  CAREKEY_RPC_URL: local.chain.rpcUrl,
  CAREKEY_CONSENT_REGISTRY: local.deployment.consentRegistry,
  CAREKEY_SHARE_HOST_RATE_LIMIT: '0',
  CAREKEY_RELAY_RATE_LIMIT: '0',
  CAREKEY_RELAY_POLL_MS: '25',
})

/** A share host on its own folder, called in process (app.request), for settings a test needs. */
async function inProcessRelay(env: Record<string, string>): Promise<RelayClientConfig> {
  const dataDir = await mkdtemp(join(tmpdir(), 'carekey-relay-it-'))
  dirs.push(dataDir)
  const app = createShareHostApp(readShareHostConfig({ ...baseEnv(), CAREKEY_SHARE_HOST_DATA_DIR: dataDir, ...env }))
  return { shareHostUrl: 'http://relay.test', fetch: async (url, init) => app.request(url, init) }
}

beforeAll(async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'carekey-relay-it-'))
  dirs.push(dataDir)
  const port = await freePort()
  host = await startShareHost(
    readShareHostConfig({
      ...baseEnv(),
      CAREKEY_SHARE_HOST_URL: `http://localhost:${port}`,
      CAREKEY_SHARE_HOST_PORT: String(port),
      CAREKEY_SHARE_HOST_DATA_DIR: dataDir,
      CAREKEY_SPONSOR_PRIVATE_KEY: ANVIL_SPONSOR_KEY,
    }),
  )
  relay = { shareHostUrl: host.url }
  location = { chainId: local.deployment.chainId, registry: local.deployment.consentRegistry }
})

afterAll(async () => {
  await host?.close()
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

const sponsor = privateKeyToAccount(ANVIL_SPONSOR_KEY).address
const random32 = (): Hex => toHex(crypto.getRandomValues(new Uint8Array(32)))
const perGrantKey = (): LocalAccount => privateKeyToAccount(generatePrivateKey())
const nonceOf = (address: Address) => local.publicClient.getTransactionCount({ address, blockTag: 'pending' })
const testClient = () => createTestClient({ chain: { ...foundry, rpcUrls: { default: { http: [local.chain.rpcUrl] } } }, mode: 'anvil', transport: http(local.chain.rpcUrl) })

/** A grant message, valid for a day, whose signature may be sent for ten minutes. */
async function grantMessage(offset = 0n): Promise<SignedGrantMessage> {
  const now = await local.now()
  return { commitment: random32(), validUntil: now + 86_400n + offset, deadline: now + 600n + offset }
}

async function signedGrant(key = perGrantKey(), message?: SignedGrantMessage, signFor: RegistryLocation = location) {
  const m = message ?? (await grantMessage())
  const signature = await key.signTypedData(grantTypedData(signFor, m))
  return { key, message: m, request: relayGrantRequest(signFor, key.address, m, signature) }
}

async function signedRevoke(key: LocalAccount, commitment: Hex, signFor: RegistryLocation = location) {
  const message = { commitment, deadline: (await local.now()) + 600n }
  return relayRevokeRequest(signFor, key.address, message, await key.signTypedData(revokeTypedData(signFor, message)))
}

async function refusal(attempt: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await attempt
  } catch (error) {
    if (error instanceof RelayRefusedError) return { status: error.status, code: error.code }
    throw error
  }
  throw new Error('expected the relay to refuse')
}

/** Every ConsentGranted event of this commitment, by anyone. */
const grantEvents = (commitment: Hex) =>
  local.publicClient.getContractEvents({ address: local.deployment.consentRegistry, abi: consentRegistryAbi, eventName: 'ConsentGranted', args: { commitment }, fromBlock: 0n })

const statusOf = (patient: Address, commitment: Hex) =>
  local.publicClient.readContract({ address: local.deployment.consentRegistry, abi: consentRegistryAbi, functionName: 'statusOfCommitment', args: [patient, commitment] })

describe('sponsor relay: recording signed grants and revokes', () => {
  it('records a grant for the per-grant key, paid by the sponsor, and answers once it is mined', async () => {
    const { key, message, request } = await signedGrant()
    const reply = await relayGrant(relay, request)
    expect(reply.patient).toBe(key.address)
    const receipt = await local.publicClient.getTransactionReceipt({ hash: reply.transactionHash })
    expect([receipt.status, Number(receipt.blockNumber), getAddress(receipt.from)]).toEqual(['success', reply.blockNumber, sponsor])
    expect(await statusOf(key.address, message.commitment)).toEqual([1, message.validUntil])
    expect(await local.publicClient.getBalance({ address: key.address })).toBe(0n)

    const revoked = await relayRevoke(relay, await signedRevoke(key, message.commitment))
    expect(revoked.patient).toBe(key.address)
    expect((await statusOf(key.address, message.commitment))[0]).toBe(2)
  })

  it('lands 20 grants sent at once, each exactly once, with 20 consecutive sponsor nonces', async () => {
    const before = await nonceOf(sponsor)
    const grants = await Promise.all(Array.from({ length: 20 }, () => signedGrant()))
    const replies = await Promise.all(grants.map((g) => relayGrant(relay, g.request)))
    expect(new Set(replies.map((r) => r.transactionHash)).size).toBe(20)
    expect(await nonceOf(sponsor)).toBe(before + 20)
    for (const g of grants) {
      expect(await statusOf(g.key.address, g.message.commitment)).toEqual([1, g.message.validUntil])
      expect(await grantEvents(g.message.commitment)).toHaveLength(1)
    }
  })

  it('refuses a replayed grant and a replayed revoke without sending anything', async () => {
    const { key, message, request } = await signedGrant()
    await relayGrant(relay, request)
    const revoke = await signedRevoke(key, message.commitment)
    await relayRevoke(relay, revoke)
    const before = await nonceOf(sponsor)
    expect(await refusal(relayGrant(relay, request))).toEqual({ status: 409, code: 'already-recorded' })
    expect(await refusal(relayRevoke(relay, revoke))).toEqual({ status: 409, code: 'already-revoked' })
    expect(await refusal(relayRevoke(relay, await signedRevoke(key, random32())))).toEqual({ status: 409, code: 'unknown-grant' })
    expect(await nonceOf(sponsor)).toBe(before)
  })

  it('sends the same grant sent twice at once only once', async () => {
    const { message, request } = await signedGrant()
    const before = await nonceOf(sponsor)
    const outcomes = await Promise.allSettled([relayGrant(relay, request), relayGrant(relay, request)])
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected'])
    expect(await nonceOf(sponsor)).toBe(before + 1)
    expect(await grantEvents(message.commitment)).toHaveLength(1)
  })
})

describe('sponsor relay: bad input', () => {
  it('refuses a signature for another chain or registry, naming it when the request does', async () => {
    const otherChain = { ...location, chainId: 1 }
    const otherRegistry = { ...location, registry: getAddress(toHex(crypto.getRandomValues(new Uint8Array(20)))) }
    for (const elsewhere of [otherChain, otherRegistry]) {
      const { request } = await signedGrant(perGrantKey(), undefined, elsewhere)
      expect(await refusal(relayGrant(relay, request))).toEqual({ status: 400, code: 'wrong-chain-or-registry' })
      // Signed for elsewhere but sent as if for here: it recovers to another key.
      expect(await refusal(relayGrant(relay, { ...request, chainId: location.chainId, registry: location.registry }))).toEqual({
        status: 400,
        code: 'invalid-signature',
      })
    }
  })

  it('refuses a signature past its deadline', async () => {
    const now = await local.now()
    const { request } = await signedGrant(perGrantKey(), { commitment: random32(), validUntil: now + 86_400n, deadline: now - 1n })
    expect(await refusal(relayGrant(relay, request))).toEqual({ status: 400, code: 'deadline-passed' })
  })

  it('refuses a signature made by another key, a changed message and a malleated signature', async () => {
    const { request } = await signedGrant()
    const impostor = await signedGrant(perGrantKey(), { commitment: request.commitment, validUntil: BigInt(request.validUntil), deadline: BigInt(request.deadline) })
    expect(await refusal(relayGrant(relay, { ...impostor.request, patient: request.patient }))).toEqual({ status: 400, code: 'invalid-signature' })
    expect(await refusal(relayGrant(relay, { ...request, validUntil: request.validUntil + 1 }))).toEqual({ status: 400, code: 'invalid-signature' })
    const s = BigInt(`0x${request.signature.slice(66, 130)}`)
    const twin = `${request.signature.slice(0, 66)}${toHex(SECP256K1_HALF_ORDER * 2n + 1n - s, { size: 32 }).slice(2)}${request.signature.endsWith('1b') ? '1c' : '1b'}` as Hex
    expect(await refusal(relayGrant(relay, { ...request, signature: twin }))).toEqual({ status: 400, code: 'invalid-signature' })
    // Only the patient's own key revokes.
    await relayGrant(relay, request)
    const stranger = await signedRevoke(perGrantKey(), request.commitment)
    expect(await refusal(relayRevoke(relay, { ...stranger, patient: request.patient }))).toEqual({ status: 400, code: 'invalid-signature' })
  })

  it('refuses anything that is not a signed registry call, and a malformed body', async () => {
    const send = (path: string, init: RequestInit) => fetch(`${host.url}${path}`, init).then(async (r) => [r.status, ((await r.json()) as { error: string }).error])
    const json = { method: 'POST', headers: { 'content-type': 'application/json' } }
    expect(await send('/api/relay/transfer', { ...json, body: JSON.stringify({ to: sponsor, value: '1' }) })).toEqual([400, 'not-a-registry-call'])
    expect(await send('/api/relay', { ...json, body: JSON.stringify({ to: local.deployment.consentRegistry, data: '0x' }) })).toEqual([400, 'not-a-registry-call'])
    expect(await send('/api/relay/grant', { method: 'GET' })).toEqual([400, 'not-a-registry-call'])
    expect(await send('/api/relay/grant', { ...json, body: '{' })).toEqual([400, 'invalid-request'])
    const { request } = await signedGrant()
    expect(await send('/api/relay/grant', { ...json, body: JSON.stringify({ ...request, data: '0xdeadbeef' }) })).toEqual([400, 'invalid-request'])
    expect(await send('/api/relay/grant', { ...json, body: JSON.stringify({ ...request, commitment: '0x00' }) })).toEqual([400, 'invalid-request'])
    expect(await send('/api/relay/grant', { ...json, body: 'x'.repeat(5000) })).toEqual([400, 'invalid-request'])
  })

  it('refuses what the registry would refuse: an empty commitment, an ended validity', async () => {
    const now = await local.now()
    const key = perGrantKey()
    const empty = await signedGrant(key, { commitment: `0x${'00'.repeat(32)}`, validUntil: now + 600n, deadline: now + 600n })
    expect(await refusal(relayGrant(relay, empty.request))).toEqual({ status: 400, code: 'empty-commitment' })
    const ended = await signedGrant(key, { commitment: random32(), validUntil: now - 1n, deadline: now + 600n })
    expect(await refusal(relayGrant(relay, ended.request))).toEqual({ status: 400, code: 'validity-ended' })
  })
})

describe('sponsor relay: limits and failures', () => {
  it('answers 503 relay-disabled without a sponsor key', async () => {
    const off = await inProcessRelay({})
    const { request } = await signedGrant()
    expect(await refusal(relayGrant(off, request))).toEqual({ status: 503, code: 'relay-disabled' })
  })

  it('limits requests per client per minute with rate-limited', async () => {
    const limited = await inProcessRelay({ CAREKEY_SPONSOR_PRIVATE_KEY: keyOf(8), CAREKEY_RELAY_RATE_LIMIT: '3' })
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, async () => relayGrant(limited, (await signedGrant()).request)))
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(3)
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []))
    expect(refused).toHaveLength(2)
    for (const error of refused) {
      expect(error).toBeInstanceOf(RelayRateLimitedError)
      expect(error).toMatchObject({ code: 'rate-limited' })
      expect((error as RelayRateLimitedError).retryAfterSeconds).toBeGreaterThan(0)
    }
  })

  it('stops at the daily gas allowance with daily-gas-limit, before sending', async () => {
    const sponsorKey = keyOf(8)
    const capped = await inProcessRelay({ CAREKEY_SPONSOR_PRIVATE_KEY: sponsorKey, CAREKEY_RELAY_GAS_PER_DAY: '100000' })
    await relayGrant(capped, (await signedGrant()).request)
    const before = await nonceOf(privateKeyToAccount(sponsorKey).address)
    const error = await relayGrant(capped, (await signedGrant()).request).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RelayRateLimitedError)
    expect(error).toMatchObject({ code: 'daily-gas-limit' })
    expect(await nonceOf(privateKeyToAccount(sponsorKey).address)).toBe(before)
  })

  it('answers sponsor-out-of-funds when the sponsor cannot pay, and records nothing', async () => {
    const poor = privateKeyToAccount(keyOf(7))
    await testClient().setBalance({ address: poor.address, value: 1_000n })
    const broke = await inProcessRelay({ CAREKEY_SPONSOR_PRIVATE_KEY: keyOf(7) })
    const { key, message, request } = await signedGrant()
    await expect(relayGrant(broke, request)).rejects.toBeInstanceOf(SponsorOutOfFundsError)
    expect(await statusOf(key.address, message.commitment)).toEqual([0, 0n])
    expect(await nonceOf(poor.address)).toBe(0)
    // Funded again, the same signed grant goes through.
    await testClient().setBalance({ address: poor.address, value: 10n ** 18n })
    await relayGrant(broke, request)
    expect((await statusOf(key.address, message.commitment))[0]).toBe(1)
  })

  it('sends a transaction dropped from the mempool again with the same nonce; it is recorded once', async () => {
    const sponsorKey = keyOf(6)
    const address = privateKeyToAccount(sponsorKey).address
    const resending = await inProcessRelay({ CAREKEY_SPONSOR_PRIVATE_KEY: sponsorKey, CAREKEY_RELAY_RESEND_AFTER_MS: '400' })
    const nonce = await nonceOf(address)
    const { key, message, request } = await signedGrant()
    await local.clock.automine(false)
    let pending: Promise<unknown> | undefined
    try {
      pending = relayGrant(resending, request)
      await until(async () => (await nonceOf(address)) === nonce + 1)
      await local.clock.dropPendingTransactions()
      expect(await nonceOf(address)).toBe(nonce)
    } finally {
      await local.clock.automine(true)
    }
    const reply = (await pending) as { transactionHash: Hex }
    const receipt = await local.publicClient.getTransactionReceipt({ hash: reply.transactionHash })
    const tx = await local.publicClient.getTransaction({ hash: reply.transactionHash })
    expect([receipt.status, tx.nonce]).toEqual(['success', nonce])
    expect(await nonceOf(address)).toBe(nonce + 1)
    expect(await statusOf(key.address, message.commitment)).toEqual([1, message.validUntil])
    expect(await grantEvents(message.commitment)).toHaveLength(1)
  })

  it('replaces a transaction stuck in the mempool with a higher fee; only one copy is ever mined', async () => {
    const sponsorKey = keyOf(6)
    const address = privateKeyToAccount(sponsorKey).address
    const resending = await inProcessRelay({ CAREKEY_SPONSOR_PRIVATE_KEY: sponsorKey, CAREKEY_RELAY_RESEND_AFTER_MS: '300' })
    const anvil = testClient()
    const nonce = await nonceOf(address)
    const { key, message, request } = await signedGrant()
    await local.clock.automine(false)
    let pending: Promise<unknown> | undefined
    let firstFee = 0n
    try {
      pending = relayGrant(resending, request)
      const pooled = async () => Object.values((await anvil.getTxpoolContent()).pending[address.toLowerCase() as Address] ?? {})
      await until(async () => (await pooled()).length === 1)
      firstFee = BigInt((await pooled())[0]?.maxFeePerGas ?? 0)
      await until(async () => BigInt((await pooled())[0]?.maxFeePerGas ?? 0) > firstFee)
      await local.clock.mineBlock()
    } finally {
      await local.clock.automine(true)
    }
    const reply = (await pending) as { transactionHash: Hex }
    const tx = await local.publicClient.getTransaction({ hash: reply.transactionHash })
    expect(tx.nonce).toBe(nonce)
    expect(tx.maxFeePerGas).toBeGreaterThan(firstFee)
    expect(await nonceOf(address)).toBe(nonce + 1)
    expect(await grantEvents(message.commitment)).toHaveLength(1)
    expect((await statusOf(key.address, message.commitment))[0]).toBe(1)
  })
})

describe('sponsor relay: privacy', () => {
  it('two grants of one patient, each by its own per-grant key, share no 20- or 32-byte value on chain but the registry, the sponsor and the event signatures', async () => {
    const first = await signedGrant(perGrantKey(), await grantMessage(0n))
    const second = await signedGrant(perGrantKey(), await grantMessage(7n))
    const published = async (hash: Hex) => {
      const [tx, receipt] = await Promise.all([local.publicClient.getTransaction({ hash }), local.publicClient.getTransactionReceipt({ hash })])
      return valuesOf(tx.input, tx.from, tx.to, receipt)
    }
    const a = await published((await relayGrant(relay, first.request)).transactionHash)
    const b = await published((await relayGrant(relay, second.request)).transactionHash)
    const allowed = new Set([
      ...[sponsor, local.deployment.consentRegistry].flatMap((address) => [address.toLowerCase(), toHex(hexToBytes(address), { size: 32 })]),
      ...['ConsentGranted(address,bytes32,uint64)', 'ConsentRevoked(address,bytes32)'].map((signature) => toEventSelector(signature)),
    ])
    const common = [...a].filter((v) => b.has(v) && !allowed.has(v))
    expect(common).toEqual([])
    // The per-grant addresses are the patients on chain, and they differ.
    expect(a.has(first.key.address.toLowerCase())).toBe(true)
    expect(b.has(first.key.address.toLowerCase())).toBe(false)
  })
})

describe('sponsor relay: logs', () => {
  it('logs nothing but method, route, status and time: no address, commitment, signature or body', async () => {
    const logging = await inProcessRelay({ CAREKEY_SPONSOR_PRIVATE_KEY: keyOf(8), CAREKEY_SHARE_HOST_LOG_REQUESTS: 'true' })
    const lines: string[] = []
    const spies = (['log', 'warn', 'error', 'info'] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' '))),
    )
    try {
      const { key, message, request } = await signedGrant()
      await relayGrant(logging, request)
      await refusal(relayGrant(logging, request))
      await refusal(relayGrant(logging, { ...request, chainId: 1 }))
      await relayRevoke(logging, await signedRevoke(key, message.commitment))
      expect(lines).toHaveLength(4)
      for (const line of lines) expect(line).toMatch(/^POST \/api\/relay\/(grant|revoke|\*) (200|400|409) \d+ms$/)
    } finally {
      for (const spy of spies) spy.mockRestore()
    }
  })
})

/**
 * Every 32-byte word of the calldata (after the selector), of the logs' topics and data, and
 * every 20-byte address among them and in from/to, in lowercase hex.
 */
function valuesOf(input: Hex, from: Address, to: Address | null, receipt: TransactionReceipt): Set<string> {
  const words = (hex: Hex) => (hex.slice(2).match(/.{64}/g) ?? []).map((w) => `0x${w}`)
  const all = [...words(`0x${input.slice(10)}`), ...receipt.logs.flatMap((l) => [...l.topics, ...words(l.data)])]
  const addresses = [from, to ?? from, ...receipt.logs.map((l) => l.address), ...all.filter((w) => w.startsWith(`0x${'0'.repeat(24)}`)).map((w) => `0x${w.slice(26)}`)]
  return new Set([...all, ...addresses].map((v) => v.toLowerCase()))
}

/** Polls a condition every 20 ms, for up to 10 s. */
async function until(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
