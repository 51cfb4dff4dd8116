import 'fake-indexeddb/auto'
import { bytesToHex, defineChain, hexToBytes, toEventSelector, type Address, type Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createConfig, http } from 'wagmi'
import { withOwnClock } from '../../../scripts/lib/chainClock.ts'
import { startBackend, type BackendStack } from '../../../scripts/lib/stack.ts'
import { discoverGrantKeys, readCommitmentStatus, type ConsentRegistryDeployment } from '../../chain/consentRegistry.ts'
import { deriveWalletKeys, type WalletKeys } from '../../domain/wallet/keys.ts'
import { parseRecoveryPhrase } from '../../domain/wallet/mnemonic.ts'
import { consentsStorageKey, readConsent } from '../../storage/consentsRepository.ts'
import { closeCareKeyDb, useDatabaseName } from '../../storage/db.ts'
import { grantConsent, prepareGrantWithFreshKey, revokeGrant, type SignedConsentDeps, type SentGrant } from './consentActions.ts'
import type { GrantChoices } from './grantForm.ts'
import type { PreparedGrant } from './prepareGrant.ts'

/**
 * The privacy promise, on a real anvil with the real share host and its sponsor relay:
 * five grants of one patient, made with the app's own workflow (a fresh key per grant, signed
 * on the device, recorded by the sponsor), have nothing in common on chain but the registry,
 * the sponsor and the event signature; and the phrase alone finds all five again.
 */
const PHRASE = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'
const CLINICIANS: Address[] = ['0x70997970C51812dc3A010C7d01b50e0d17dc79C8', '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC']

let stack: BackendStack
let registry: ConsentRegistryDeployment
let keys: WalletKeys
let deps: SignedConsentDeps
const made: { prepared: PreparedGrant; sent: SentGrant }[] = []

beforeAll(async () => {
  stack = await startBackend()
  registry = { chainId: stack.deployment.chainId, address: stack.deployment.consentRegistry, fromBlock: BigInt(stack.deployment.deployBlock) }
  keys = await deriveWalletKeys(parseRecoveryPhrase(PHRASE))
  await useDatabaseName('private-consent')
  const chain = defineChain({ id: registry.chainId, name: 'anvil', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [stack.chain.rpcUrl] } } })
  // The patient's account has no funds and no wallet is connected: only the sponsor can pay.
  expect(await stack.chain.client.getBalance({ address: keys.account.address })).toBe(0n)
  deps = {
    keys,
    config: createConfig({ chains: [chain], connectors: [], transports: { [chain.id]: http(stack.chain.rpcUrl) }, storage: null }),
    registry,
    account: undefined,
    relay: { shareHostUrl: stack.shareHostUrl },
    client: stack.chain.client,
    now: () => chainNow,
  }
})
afterAll(async () => {
  await closeCareKeyDb()
  await stack?.stop()
})

let chainNow = new Date()

/** Two grants to clinicians by address, three QR shares (bearer), each with its own end date. */
function choicesFor(i: number, now: Date): GrantChoices {
  // Real grants end on different days, at different times.
  const validUntil = new Date(now.getTime() + (i + 1) * 86_400_000 + (i * 7 + 3) * 60_000)
  const common = { scope: { categories: ['allergies', 'medications'], recordIds: [], actions: ['access'] }, purpose: 'TREAT', validUntil } as const
  const clinician = CLINICIANS[i]
  return clinician
    ? { ...common, patient: keys.account.address, grantee: { kind: 'address', address: clinician }, granteeName: `Dr. ${i}`, share: undefined }
    : { ...common, patient: keys.account.address, grantee: { kind: 'bearer' }, granteeName: undefined, share: { label: `QR ${i}`, passcode: undefined } }
}

/** Every 20-byte and 32-byte value a transaction puts on chain: its addresses, calldata words and log words. */
async function valuesOf(hash: Hex): Promise<Set<string>> {
  const [tx, receipt] = await Promise.all([stack.chain.client.getTransaction({ hash }), stack.chain.client.getTransactionReceipt({ hash })])
  const values = new Set<string>()
  const add32 = (word: Uint8Array) => {
    values.add(bytesToHex(word))
    // A word that holds an address (12 zero bytes, then 20): the address too.
    if (word.slice(0, 12).every((b) => b === 0)) values.add(bytesToHex(word.slice(12)))
  }
  const words = (bytes: Uint8Array) => {
    for (let at = 0; at + 32 <= bytes.length; at += 32) add32(bytes.slice(at, at + 32))
  }
  values.add(tx.from.toLowerCase())
  if (tx.to) values.add(tx.to.toLowerCase())
  words(hexToBytes(tx.input).slice(4))
  for (const log of receipt.logs) {
    values.add(log.address.toLowerCase())
    for (const topic of log.topics) add32(hexToBytes(topic))
    words(hexToBytes(log.data))
  }
  values.delete(bytesToHex(new Uint8Array(32)))
  values.delete(bytesToHex(new Uint8Array(20)))
  return values
}

const pad32 = (address: Address) => `0x${'0'.repeat(24)}${address.slice(2).toLowerCase()}`

describe('five grants of one patient through the sponsor', () => {
  beforeAll(async () => {
    for (let i = 0; i < 5; i++) {
      // A patient makes grants minutes apart at least. Signature deadlines are the signing time
      // plus up to five random minutes: two grants signed in the same minutes may share one.
      if (i > 0) await withOwnClock(stack.chain).advance(600)
      chainNow = new Date(Number((await stack.chain.client.getBlock()).timestamp) * 1000)
      const prepared = await prepareGrantWithFreshKey(keys, {
        choices: choicesFor(i, chainNow),
        registry,
        hostUrl: stack.shareHostUrl,
        now: chainNow,
        readRecords: async () => [{ id: `record-${i}`, resource: { resourceType: 'AllergyIntolerance', patient: {}, code: { text: 'Peanut' } } }],
      })
      made.push({ prepared, sent: await grantConsent(deps, prepared, 'sponsor') })
    }
  })

  it('records each with its own key, paid by the sponsor', async () => {
    expect(made.map((m) => m.prepared.consent.grantKeyIndex)).toEqual([0, 1, 2, 3, 4])
    expect(made.map((m) => m.prepared.consent.grantee.kind)).toEqual(['address', 'address', 'bearer', 'bearer', 'bearer'])
    for (const { prepared, sent } of made) {
      expect(sent.hash).toMatch(/^0x[0-9a-f]{64}$/)
      expect(prepared.consent.terms.patient).toBe(keys.grantAccount(prepared.consent.grantKeyIndex ?? -1).address)
      const tx = await stack.chain.client.getTransaction({ hash: sent.hash ?? '0x' })
      expect(tx.from.toLowerCase()).toBe(stack.sponsor.toLowerCase())
      expect((await readCommitmentStatus(stack.chain.client, registry, prepared.consent.terms.patient, prepared.consent.commitment)).status).toBe('active')
      const stored = await readConsent(await consentsStorageKey(keys.root), prepared.consent.id)
      expect(stored).toMatchObject({ state: 'recorded', sentBy: 'sponsor', grantKeyIndex: prepared.consent.grantKeyIndex })
    }
  })

  it('leaves no 20- or 32-byte value common to two of the transactions but the registry, the sponsor and the event signature', async () => {
    const perTx = await Promise.all(made.map((m) => valuesOf(m.sent.hash ?? '0x')))
    const registryAddress = registry.address.toLowerCase()
    const sponsor = stack.sponsor.toLowerCase()
    const grantedTopic = toEventSelector('ConsentGranted(address,bytes32,uint64)')
    const allowed = new Set([registryAddress, pad32(registry.address), sponsor, pad32(stack.sponsor), grantedTopic])

    // The extraction sees what it should: each grant's own key and commitment, and the shared values.
    made.forEach(({ prepared }, i) => {
      expect(perTx[i]?.has(prepared.consent.terms.patient.toLowerCase())).toBe(true)
      expect(perTx[i]?.has(prepared.consent.commitment)).toBe(true)
      expect([registryAddress, sponsor, grantedTopic].every((v) => perTx[i]?.has(v))).toBe(true)
    })

    const common: string[] = []
    perTx.forEach((values, i) => {
      for (const value of values) {
        if (allowed.has(value)) continue
        const others = perTx.flatMap((other, j) => (j !== i && other.has(value) ? [j] : []))
        if (others.length > 0) common.push(`${value} in transactions ${i} and ${others.join(', ')}`)
      }
    })
    expect(common).toEqual([])
  })

  it('finds all five again from the phrase alone, with the index of each key, and revokes one through the sponsor', async () => {
    const restored = await deriveWalletKeys(parseRecoveryPhrase(PHRASE))
    const found = await discoverGrantKeys(stack.chain.client, registry, (i) => restored.grantAccount(i).address)
    expect(found.nextIndex).toBe(5)
    expect(found.grants.map((g) => [g.keyIndex, g.commitment, g.validUntil])).toEqual(
      made.map(({ prepared }) => [prepared.consent.grantKeyIndex, prepared.consent.commitment, prepared.consent.terms.validUntil]),
    )

    const [, second] = made
    if (!second) throw new Error('no second grant')
    const { consent } = second.prepared
    chainNow = new Date(Number((await stack.chain.client.getBlock()).timestamp) * 1000)
    const revoked = await revokeGrant(deps, { patient: consent.terms.patient, commitment: consent.commitment, consentId: consent.id, grantKeyIndex: consent.grantKeyIndex }, 'sponsor')
    expect((await stack.chain.client.getTransaction({ hash: revoked.transactionHash })).from.toLowerCase()).toBe(stack.sponsor.toLowerCase())
    expect((await readCommitmentStatus(stack.chain.client, registry, consent.terms.patient, consent.commitment)).status).toBe('revoked')
    expect(await readConsent(await consentsStorageKey(keys.root), consent.id)).toMatchObject({ revokeTx: { hash: revoked.transactionHash }, resource: { status: 'inactive' } })
    const after = await discoverGrantKeys(stack.chain.client, registry, (i) => restored.grantAccount(i).address)
    expect(after.grants.map((g) => g.revoked !== undefined)).toEqual([false, true, false, false, false])
  })
})
