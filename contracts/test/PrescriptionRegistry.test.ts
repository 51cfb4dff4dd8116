import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  createPublicClient,
  decodeFunctionData,
  getAddress,
  http,
  parseEventLogs,
  zeroAddress,
  zeroHash,
  type Address,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
} from 'viem'
import { foundry } from 'viem/chains'
import { ROLE_BITS } from '../../src/domain/credentials/roles.ts'
import { startLocalChainForTests, type ChainFixture } from '../../scripts/lib/chainFixture.ts'
import { credentialRegistryAbi, credentialRegistryBytecode } from '../generated/CredentialRegistry.ts'
import { prescriptionRegistryAbi, prescriptionRegistryBytecode } from '../generated/PrescriptionRegistry.ts'
import { random32, revertOf } from './support.ts'

const local = startLocalChainForTests()

/** CredentialRegistry's Status enum. */
const Credential = { None: 0, Valid: 1, Revoked: 2, Expired: 3, Pending: 4 } as const
const { clinician: CLINICIAN, prescriber: PRESCRIBER, pharmacy: PHARMACY } = ROLE_BITS
const ISSUER = 8
/** Anvil accounts and what the tests register them as. */
const DOCTOR = 1
const SECOND_DOCTOR = 2
const PHARMACY_A = 3
const PHARMACY_B = 4
const NOBODY = 5
const HOUR = 3_600

function wallets(fixture: ChainFixture) {
  const wallet = (i: number) => {
    const w = fixture.wallets[i]
    if (!w) throw new Error(`no wallet ${i}`)
    return w
  }
  return { wallet, account: (i: number) => wallet(i).account.address }
}

/** Helpers bound to one pair of registries and the fixture's accounts. */
function registriesUnderTest(fixture: ChainFixture, addresses: () => { credentials: Address; prescriptions: Address }, gas?: bigint) {
  const { wallet, account } = wallets(fixture)
  const receiptOf = (hash: Hex) => fixture.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 })
  const credentials = () => ({ address: addresses().credentials, abi: credentialRegistryAbi, gas }) as const
  const prescriptions = () => ({ address: addresses().prescriptions, abi: prescriptionRegistryAbi, gas }) as const
  return {
    account,
    async issue(professional: number, roles: number, validUntil: number): Promise<TransactionReceipt> {
      const start = Number(await fixture.now()) - 60
      return receiptOf(
        await wallet(ISSUER).writeContract({ ...credentials(), functionName: 'issue', args: [account(professional), roles, start, validUntil, random32()] }),
      )
    },
    async revokeCredential(professional: number): Promise<TransactionReceipt> {
      return receiptOf(await wallet(ISSUER).writeContract({ ...credentials(), functionName: 'revoke', args: [account(professional)] }))
    },
    async prescribe(by: number, commitment: Hex, total: number, expiry: number): Promise<TransactionReceipt> {
      return receiptOf(await wallet(by).writeContract({ ...prescriptions(), functionName: 'prescribe', args: [commitment, total, expiry] }))
    },
    async dispense(by: number, commitment: Hex, amount: number): Promise<TransactionReceipt> {
      return receiptOf(await wallet(by).writeContract({ ...prescriptions(), functionName: 'dispense', args: [commitment, amount] }))
    },
    async cancel(by: number, commitment: Hex): Promise<TransactionReceipt> {
      return receiptOf(await wallet(by).writeContract({ ...prescriptions(), functionName: 'cancel', args: [commitment] }))
    },
    prescriptionOf: (commitment: Hex, blockNumber?: bigint) =>
      fixture.publicClient.readContract({ address: addresses().prescriptions, abi: prescriptionRegistryAbi, functionName: 'prescriptionOf', args: [commitment], blockNumber }),
    events: (receipt: TransactionReceipt) =>
      parseEventLogs({ abi: prescriptionRegistryAbi, logs: receipt.logs.filter((l) => getAddress(l.address) === getAddress(addresses().prescriptions)) }).map((e) => ({
        eventName: e.eventName,
        args: e.args,
      })),
  }
}

const registries = registriesUnderTest(local, () => ({ credentials: local.deployment.credentialRegistry, prescriptions: local.deployment.prescriptionRegistry }))
const { account } = registries
const now = async () => Number(await local.now())

/** Registers the usual cast for a day (again: each test may have moved the clock or revoked). */
async function registerCast() {
  const until = (await now()) + 30 * 24 * HOUR
  await registries.issue(DOCTOR, PRESCRIBER | CLINICIAN, until)
  await registries.issue(SECOND_DOCTOR, PRESCRIBER, until)
  await registries.issue(PHARMACY_A, PHARMACY, until)
  await registries.issue(PHARMACY_B, PHARMACY, until)
}

/** A prescription of `total` units by DOCTOR, valid for `hours`. */
async function freshPrescription(total = 2, hours = 24) {
  await registerCast()
  const commitment = random32()
  const expiry = (await now()) + hours * HOUR
  const receipt = await registries.prescribe(DOCTOR, commitment, total, expiry)
  return { commitment, total, expiry, receipt }
}

describe('PrescriptionRegistry: prescribing', () => {
  it('records the commitment, the prescriber, total = remaining, the expiry; emits Prescribed; puts nothing else on chain', async () => {
    const p = await freshPrescription(30)
    expect(p.receipt.status).toBe('success')
    expect(registries.events(p.receipt)).toEqual([{ eventName: 'Prescribed', args: { commitment: p.commitment, prescriber: account(DOCTOR), total: 30, expiry: p.expiry } }])
    expect(await registries.prescriptionOf(p.commitment)).toEqual([account(DOCTOR), 30, 30, p.expiry, false, false])
    const tx = await local.publicClient.getTransaction({ hash: p.receipt.transactionHash })
    expect(decodeFunctionData({ abi: prescriptionRegistryAbi, data: tx.input })).toEqual({ functionName: 'prescribe', args: [p.commitment, 30, p.expiry] })
  })

  it('reads all zero for a commitment never recorded', async () => {
    expect(await registries.prescriptionOf(random32())).toEqual([zeroAddress, 0, 0, 0, false, false])
  })

  it('refuses a prescriber who is not registered, registered without the prescriber role, revoked, expired or not yet valid', async () => {
    await registerCast()
    const expiry = (await now()) + HOUR
    const attempt = (by: number) => revertOf(registries.prescribe(by, random32(), 1, expiry))
    expect(await attempt(NOBODY)).toEqual({ name: 'PrescriberNotVerified', args: [account(NOBODY), Credential.None] })
    expect(await attempt(PHARMACY_A)).toEqual({ name: 'PrescriberNotVerified', args: [account(PHARMACY_A), Credential.None] })
    await registries.revokeCredential(SECOND_DOCTOR)
    expect(await attempt(SECOND_DOCTOR)).toEqual({ name: 'PrescriberNotVerified', args: [account(SECOND_DOCTOR), Credential.Revoked] })
    await registries.issue(SECOND_DOCTOR, PRESCRIBER, (await now()) + 2)
    await local.clock.advance(10)
    expect(await attempt(SECOND_DOCTOR)).toEqual({ name: 'PrescriberNotVerified', args: [account(SECOND_DOCTOR), Credential.Expired] })
    const start = await now()
    await wallets(local).wallet(ISSUER).writeContract({
      address: local.deployment.credentialRegistry,
      abi: credentialRegistryAbi,
      functionName: 'issue',
      args: [account(SECOND_DOCTOR), PRESCRIBER, start + HOUR, start + 2 * HOUR, random32()],
    })
    expect(await revertOf(registries.prescribe(SECOND_DOCTOR, random32(), 1, start + 3 * HOUR))).toEqual({
      name: 'PrescriberNotVerified',
      args: [account(SECOND_DOCTOR), Credential.Pending],
    })
  })

  it('refuses an empty commitment, a quantity of zero, an expiry that is not in the future, and the same commitment twice', async () => {
    const p = await freshPrescription()
    const start = await now()
    expect(await revertOf(registries.prescribe(DOCTOR, zeroHash, 1, start + HOUR))).toEqual({ name: 'EmptyCommitment', args: [] })
    expect(await revertOf(registries.prescribe(DOCTOR, random32(), 0, start + HOUR))).toEqual({ name: 'EmptyQuantity', args: [] })
    expect(await revertOf(registries.prescribe(DOCTOR, random32(), 1, start))).toEqual({ name: 'ExpiryInPast', args: [start] })
    expect(await revertOf(registries.prescribe(DOCTOR, p.commitment, 5, start + HOUR))).toEqual({ name: 'PrescriptionAlreadyRecorded', args: [p.commitment] })
    // Not even by another prescriber: the first record stands.
    expect(await revertOf(registries.prescribe(SECOND_DOCTOR, p.commitment, 5, start + HOUR))).toEqual({ name: 'PrescriptionAlreadyRecorded', args: [p.commitment] })
    expect(await registries.prescriptionOf(p.commitment)).toEqual([account(DOCTOR), 2, 2, p.expiry, false, false])
  })
})

describe('PrescriptionRegistry: dispensing', () => {
  it('lowers what remains by each amount, with a Dispensed event naming the pharmacy, the amount and what remains', async () => {
    const p = await freshPrescription(5)
    const first = await registries.dispense(PHARMACY_A, p.commitment, 2)
    expect(registries.events(first)).toEqual([{ eventName: 'Dispensed', args: { commitment: p.commitment, pharmacy: account(PHARMACY_A), amount: 2, remaining: 3 } }])
    const second = await registries.dispense(PHARMACY_B, p.commitment, 3)
    expect(registries.events(second)).toEqual([{ eventName: 'Dispensed', args: { commitment: p.commitment, pharmacy: account(PHARMACY_B), amount: 3, remaining: 0 } }])
    expect(await registries.prescriptionOf(p.commitment)).toEqual([account(DOCTOR), 5, 0, p.expiry, false, false])
  })

  it('refuses more than remains, and zero, and leaves what remains as it was', async () => {
    const p = await freshPrescription(2)
    expect(await revertOf(registries.dispense(PHARMACY_A, p.commitment, 3))).toEqual({ name: 'MoreThanRemains', args: [p.commitment, 3, 2] })
    expect(await revertOf(registries.dispense(PHARMACY_A, p.commitment, 0))).toEqual({ name: 'MoreThanRemains', args: [p.commitment, 0, 2] })
    await registries.dispense(PHARMACY_A, p.commitment, 2)
    expect(await revertOf(registries.dispense(PHARMACY_B, p.commitment, 1))).toEqual({ name: 'MoreThanRemains', args: [p.commitment, 1, 0] })
    expect((await registries.prescriptionOf(p.commitment))[2]).toBe(0)
  })

  it('refuses a pharmacy that is not registered, registered for another role, revoked or expired', async () => {
    const p = await freshPrescription(3)
    const attempt = (by: number) => revertOf(registries.dispense(by, p.commitment, 1))
    expect(await attempt(NOBODY)).toEqual({ name: 'PharmacyNotVerified', args: [account(NOBODY), Credential.None] })
    // The prescriber cannot dispense their own prescription.
    expect(await attempt(DOCTOR)).toEqual({ name: 'PharmacyNotVerified', args: [account(DOCTOR), Credential.None] })
    await registries.revokeCredential(PHARMACY_A)
    expect(await attempt(PHARMACY_A)).toEqual({ name: 'PharmacyNotVerified', args: [account(PHARMACY_A), Credential.Revoked] })
    await registries.issue(PHARMACY_B, PHARMACY, (await now()) + 2)
    await local.clock.advance(10)
    expect(await attempt(PHARMACY_B)).toEqual({ name: 'PharmacyNotVerified', args: [account(PHARMACY_B), Credential.Expired] })
    expect((await registries.prescriptionOf(p.commitment))[2]).toBe(3)
  })

  it('refuses an unknown prescription, and an expired one from its expiry on, to the second', async () => {
    const p = await freshPrescription(3, 1)
    const unknown = random32()
    expect(await revertOf(registries.dispense(PHARMACY_A, unknown, 1))).toEqual({ name: 'UnknownPrescription', args: [unknown] })
    await local.clock.nextBlockAt(BigInt(p.expiry - 1))
    await registries.dispense(PHARMACY_A, p.commitment, 1)
    await local.clock.nextBlockAt(BigInt(p.expiry))
    expect(await revertOf(registries.dispense(PHARMACY_A, p.commitment, 1))).toEqual({ name: 'PrescriptionExpired', args: [p.commitment, p.expiry] })
    // The refused dispense was never mined: mine the block at the expiry to read it there.
    await local.clock.mineBlock()
    expect((await local.publicClient.getBlock()).timestamp).toBe(BigInt(p.expiry))
    expect(await registries.prescriptionOf(p.commitment)).toEqual([account(DOCTOR), 3, 2, p.expiry, false, true])
  })

  it('still dispenses when the prescriber’s credential ended after prescribing (the pharmacy sees the prescriber’s status off chain)', async () => {
    const p = await freshPrescription(2)
    await registries.revokeCredential(DOCTOR)
    await registries.dispense(PHARMACY_A, p.commitment, 1)
    expect((await registries.prescriptionOf(p.commitment))[2]).toBe(1)
  })
})

describe('PrescriptionRegistry: cancelling', () => {
  it('lets the prescriber cancel, even with an ended credential: nothing more is dispensed', async () => {
    const p = await freshPrescription(4)
    await registries.dispense(PHARMACY_A, p.commitment, 1)
    await registries.revokeCredential(DOCTOR)
    const receipt = await registries.cancel(DOCTOR, p.commitment)
    expect(registries.events(receipt)).toEqual([{ eventName: 'PrescriptionCancelled', args: { commitment: p.commitment, prescriber: account(DOCTOR) } }])
    expect(await registries.prescriptionOf(p.commitment)).toEqual([account(DOCTOR), 4, 3, p.expiry, true, false])
    expect(await revertOf(registries.dispense(PHARMACY_B, p.commitment, 1))).toEqual({ name: 'CancelledPrescription', args: [p.commitment] })
  })

  it('refuses a cancel by anyone but its prescriber, twice, or of an unknown prescription', async () => {
    const p = await freshPrescription()
    for (const other of [SECOND_DOCTOR, PHARMACY_A, ISSUER]) {
      expect(await revertOf(registries.cancel(other, p.commitment))).toEqual({ name: 'NotThePrescriber', args: [p.commitment, account(DOCTOR)] })
    }
    await registries.cancel(DOCTOR, p.commitment)
    expect(await revertOf(registries.cancel(DOCTOR, p.commitment))).toEqual({ name: 'AlreadyCancelled', args: [p.commitment] })
    const unknown = random32()
    expect(await revertOf(registries.cancel(DOCTOR, unknown))).toEqual({ name: 'UnknownPrescription', args: [unknown] })
  })
})

describe('PrescriptionRegistry: two pharmacies, the last unit, one block', () => {
  it('lets exactly one dispense it; the other reverts with MoreThanRemains', async () => {
    const p = await freshPrescription(2)
    await registries.dispense(PHARMACY_A, p.commitment, 1)
    const { wallet } = wallets(local)
    const call = { address: local.deployment.prescriptionRegistry, abi: prescriptionRegistryAbi, functionName: 'dispense', args: [p.commitment, 1], gas: 200_000n } as const
    await local.clock.automine(false)
    let hashes: Hex[]
    try {
      hashes = [await wallet(PHARMACY_A).writeContract(call), await wallet(PHARMACY_B).writeContract(call)]
      await local.clock.mineBlock()
    } finally {
      await local.clock.automine(true)
    }
    const receipts = await Promise.all(hashes.map((hash) => local.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 })))
    expect(receipts[0]?.blockNumber).toBe(receipts[1]?.blockNumber)
    expect(receipts.map((r) => r.status).sort()).toEqual(['reverted', 'success'])
    const lost = receipts.findIndex((r) => r.status === 'reverted')
    const loser = lost === 0 ? PHARMACY_A : PHARMACY_B
    // Replayed at the state of that block, the loser's call decodes to the contract's error.
    const won = receipts[1 - lost]
    if (!won) throw new Error('no winner')
    expect(registries.events(won)).toEqual([{ eventName: 'Dispensed', args: { commitment: p.commitment, pharmacy: account(loser === PHARMACY_A ? PHARMACY_B : PHARMACY_A), amount: 1, remaining: 0 } }])
    expect(
      await revertOf(local.publicClient.simulateContract({ ...call, account: account(loser), blockNumber: won.blockNumber })),
    ).toEqual({ name: 'MoreThanRemains', args: [p.commitment, 1, 0] })
    expect((await registries.prescriptionOf(p.commitment))[2]).toBe(0)
  })
})

describe('PrescriptionRegistry: gas budgets', () => {
  it('prescribing costs at most 60,000 gas, dispensing at most 40,000, cancelling at most 35,000', async () => {
    const p = await freshPrescription(3)
    expect(p.receipt.gasUsed).toBeLessThanOrEqual(60_000n)
    expect((await registries.dispense(PHARMACY_A, p.commitment, 1)).gasUsed).toBeLessThanOrEqual(40_000n)
    // Also the dispense that empties the prescription.
    expect((await registries.dispense(PHARMACY_B, p.commitment, 2)).gasUsed).toBeLessThanOrEqual(40_000n)
    const q = await freshPrescription(3)
    expect((await registries.cancel(DOCTOR, q.commitment)).gasUsed).toBeLessThanOrEqual(35_000n)
  })
})

// ---------------------------------------------------------------------------------------------
// A model of credentials and prescriptions, against the chain, over random sequences.

const PROFESSIONALS = [1, 2, 3, 4, 5] as const
type Professional = (typeof PROFESSIONALS)[number]
const professionalArb = fc.constantFrom(...PROFESSIONALS)
const rolesArb = fc.constantFrom(PRESCRIBER, PHARMACY, PRESCRIBER | CLINICIAN, PRESCRIBER | PHARMACY, CLINICIAN)

type Action =
  | { kind: 'issue'; to: Professional; roles: number; startOffset: number; duration: number }
  | { kind: 'revokeCredential'; of: Professional }
  | { kind: 'prescribe'; by: Professional; rx: number; total: number; duration: number }
  | { kind: 'dispense'; by: Professional; rx: number; amount: number }
  | { kind: 'cancel'; by: Professional; rx: number }
  | { kind: 'travel'; seconds: number }

const durationArb = fc.oneof({ weight: 1, arbitrary: fc.integer({ min: 1, max: 60 }) }, { weight: 4, arbitrary: fc.integer({ min: 3_600, max: 100_000 }) })
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('issue' as const),
      to: professionalArb,
      roles: rolesArb,
      startOffset: fc.constantFrom(-10, -10, -10, 30),
      duration: durationArb,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('revokeCredential' as const), of: professionalArb }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('prescribe' as const),
      by: fc.oneof({ weight: 4, arbitrary: fc.constantFrom<Professional>(DOCTOR, SECOND_DOCTOR) }, { weight: 1, arbitrary: professionalArb }),
      rx: fc.nat(),
      total: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 4 }) }, { weight: 1, arbitrary: fc.constant(0) }),
      duration: fc.oneof({ weight: 6, arbitrary: durationArb }, { weight: 1, arbitrary: fc.integer({ min: -30, max: 0 }) }),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('dispense' as const),
      by: fc.oneof({ weight: 4, arbitrary: fc.constantFrom<Professional>(PHARMACY_A, PHARMACY_B) }, { weight: 1, arbitrary: professionalArb }),
      rx: fc.nat(),
      amount: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 3 }) }, { weight: 1, arbitrary: fc.constant(0) }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('cancel' as const),
      by: fc.oneof({ weight: 3, arbitrary: fc.constantFrom<Professional>(DOCTOR, SECOND_DOCTOR) }, { weight: 1, arbitrary: professionalArb }),
      rx: fc.nat(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('travel' as const), seconds: fc.oneof(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1_000, max: 30_000 })) }) },
)

type ModelCredential = { roles: number; validFrom: number; validUntil: number; revoked: boolean }
type ModelPrescription = { prescriber: Address; total: number; remaining: number; expiry: number; cancelled: boolean }

class Model {
  readonly credentials = new Map<Professional, ModelCredential>()
  readonly prescriptions = new Map<Hex, ModelPrescription>()

  credentialStatus(who: Professional, role: number, time: number): number {
    const c = this.credentials.get(who)
    if (!c || (c.roles & role) !== role) return Credential.None
    if (c.revoked) return Credential.Revoked
    if (time >= c.validUntil) return Credential.Expired
    if (time < c.validFrom) return Credential.Pending
    return Credential.Valid
  }
  issueError(validFrom: number, validUntil: number, time: number): string | undefined {
    return validUntil <= validFrom || validUntil <= time ? 'InvalidValidity' : undefined
  }
  revokeError(who: Professional): string | undefined {
    const c = this.credentials.get(who)
    if (!c) return 'NoCredential'
    return c.revoked ? 'CredentialAlreadyRevoked' : undefined
  }
  prescribeError(by: Professional, commitment: Hex, total: number, expiry: number, time: number): string | undefined {
    if (this.credentialStatus(by, PRESCRIBER, time) !== Credential.Valid) return 'PrescriberNotVerified'
    if (total === 0) return 'EmptyQuantity'
    if (expiry <= time) return 'ExpiryInPast'
    return this.prescriptions.has(commitment) ? 'PrescriptionAlreadyRecorded' : undefined
  }
  dispenseError(by: Professional, commitment: Hex, amount: number, time: number): string | undefined {
    if (this.credentialStatus(by, PHARMACY, time) !== Credential.Valid) return 'PharmacyNotVerified'
    const p = this.prescriptions.get(commitment)
    if (!p) return 'UnknownPrescription'
    if (p.cancelled) return 'CancelledPrescription'
    if (time >= p.expiry) return 'PrescriptionExpired'
    return amount === 0 || amount > p.remaining ? 'MoreThanRemains' : undefined
  }
  cancelError(by: Address, commitment: Hex): string | undefined {
    const p = this.prescriptions.get(commitment)
    if (!p) return 'UnknownPrescription'
    if (getAddress(p.prescriber) !== getAddress(by)) return 'NotThePrescriber'
    return p.cancelled ? 'AlreadyCancelled' : undefined
  }
}

/** One sequence that reaches every rule, run before the random ones. */
const EVERY_RULE: Action[] = [
  { kind: 'dispense', by: PHARMACY_A, rx: 2, amount: 1 },
  { kind: 'prescribe', by: DOCTOR, rx: 0, total: 2, duration: 100 },
  { kind: 'dispense', by: PHARMACY_A, rx: 0, amount: 0 },
  { kind: 'dispense', by: PHARMACY_A, rx: 0, amount: 1 },
  { kind: 'dispense', by: PHARMACY_B, rx: 0, amount: 1 },
  { kind: 'dispense', by: PHARMACY_A, rx: 0, amount: 1 },
  { kind: 'prescribe', by: SECOND_DOCTOR, rx: 0, total: 1, duration: 100 },
  { kind: 'prescribe', by: DOCTOR, rx: 1, total: 3, duration: 5_000 },
  { kind: 'cancel', by: SECOND_DOCTOR, rx: 1 },
  { kind: 'cancel', by: DOCTOR, rx: 1 },
  { kind: 'cancel', by: DOCTOR, rx: 1 },
  { kind: 'dispense', by: PHARMACY_A, rx: 1, amount: 1 },
  { kind: 'prescribe', by: DOCTOR, rx: 2, total: 0, duration: 100 },
  { kind: 'prescribe', by: DOCTOR, rx: 2, total: 1, duration: -5 },
  { kind: 'prescribe', by: DOCTOR, rx: 2, total: 1, duration: 30 },
  { kind: 'travel', seconds: 60 },
  { kind: 'dispense', by: PHARMACY_A, rx: 2, amount: 1 },
  { kind: 'revokeCredential', of: NOBODY },
  { kind: 'revokeCredential', of: PHARMACY_B },
  { kind: 'revokeCredential', of: PHARMACY_B },
  { kind: 'dispense', by: PHARMACY_B, rx: 0, amount: 1 },
  { kind: 'prescribe', by: NOBODY, rx: 2, total: 1, duration: 100 },
  { kind: 'issue', to: NOBODY, roles: PRESCRIBER, startOffset: -10, duration: 5 },
  { kind: 'issue', to: NOBODY, roles: PRESCRIBER, startOffset: 30, duration: 100 },
  { kind: 'prescribe', by: NOBODY, rx: 2, total: 1, duration: 100 },
]

describe('Credentials and prescriptions: invariants over random sequences (fast-check)', () => {
  it('always agree with the model: only valid prescribers prescribe, only valid pharmacies dispense, never more than remains, nothing after expiry or cancel', async () => {
    const rpcUrl = local.chain.rpcUrl
    const reader: PublicClient = createPublicClient({ chain: { ...foundry, rpcUrls: { default: { http: [rpcUrl] } } }, transport: http(rpcUrl, { batch: true }), pollingInterval: 20 })
    const { wallet } = wallets(local)
    let time = Number(await local.now())
    /** The outcomes the runs reached: the generator must reach every rule, or the model proves little. */
    const seen = new Set<string>()
    /** Every block is mined at a time the model chooses, so its predictions are exact. */
    const nextBlockAt = async (at: number) => {
      time = at > time ? at : time + 1
      await local.clock.nextBlockAt(BigInt(time))
    }
    const deploy = async (send: () => Promise<Hex>) => {
      await nextBlockAt(time + 1)
      const hash = await send()
      const receipt = await reader.waitForTransactionReceipt({ hash })
      if (!receipt.contractAddress) throw new Error('deploy failed')
      return getAddress(receipt.contractAddress)
    }

    await fc.assert(
      fc.asyncProperty(fc.array(actionArb, { minLength: 1, maxLength: 24, size: 'max' }), async (actions) => {
        const credentials = await deploy(() => wallet(0).deployContract({ abi: credentialRegistryAbi, bytecode: credentialRegistryBytecode, args: [[account(ISSUER)]] }))
        const prescriptions = await deploy(() => wallet(0).deployContract({ abi: prescriptionRegistryAbi, bytecode: prescriptionRegistryBytecode, args: [credentials] }))
        const chain = registriesUnderTest(local, () => ({ credentials, prescriptions }), 1_000_000n)
        const pool = Array.from({ length: 3 }, random32)
        const rxAt = (i: number) => pool[i % pool.length]!
        const model = new Model()
        const dispensed = new Map<Hex, number>()
        if (actions.some((a) => a.kind === 'dispense')) seen.add('dispense attempted')

        /** Sends a write with a fixed gas limit (so a revert is mined) and returns the decoded error, if any. */
        const send = async (by: number, functionName: 'issue' | 'revoke' | 'prescribe' | 'dispense' | 'cancel', args: readonly unknown[]) => {
          await nextBlockAt(time + 1)
          const target =
            functionName === 'issue' || functionName === 'revoke'
              ? ({ address: credentials, abi: credentialRegistryAbi } as const)
              : ({ address: prescriptions, abi: prescriptionRegistryAbi } as const)
          const request = { ...target, functionName, args, gas: 1_000_000n } as never
          const hash = await wallet(by).writeContract(request)
          const receipt = await reader.waitForTransactionReceipt({ hash })
          expect((await reader.getBlock({ blockNumber: receipt.blockNumber })).timestamp).toBe(BigInt(time))
          if (receipt.status === 'success') return { receipt, error: undefined }
          const replay = { ...(request as object), account: account(by), blockNumber: receipt.blockNumber } as never
          const error = (await revertOf(reader.simulateContract(replay))).name
          seen.add(error)
          return { receipt, error }
        }

        // Each run starts with the usual cast registered; the actions then change it.
        const cast: Action[] = [
          { kind: 'issue', to: DOCTOR, roles: PRESCRIBER | CLINICIAN, startOffset: -10, duration: 200_000 },
          { kind: 'issue', to: SECOND_DOCTOR, roles: PRESCRIBER, startOffset: -10, duration: 200_000 },
          { kind: 'issue', to: PHARMACY_A, roles: PHARMACY, startOffset: -10, duration: 200_000 },
          { kind: 'issue', to: PHARMACY_B, roles: PHARMACY, startOffset: -10, duration: 200_000 },
        ]
        for (const action of [...cast, ...actions]) {
          if (action.kind === 'travel') {
            await nextBlockAt(time + action.seconds)
            await local.clock.mineBlock()
          } else if (action.kind === 'issue') {
            const validFrom = time + 1 + action.startOffset
            const validUntil = validFrom + action.duration
            const expected = model.issueError(validFrom, validUntil, time + 1)
            const { error } = await send(ISSUER, 'issue', [account(action.to), action.roles, validFrom, validUntil, random32()])
            expect(error).toBe(expected)
            if (!expected) model.credentials.set(action.to, { roles: action.roles, validFrom, validUntil, revoked: false })
          } else if (action.kind === 'revokeCredential') {
            const expected = model.revokeError(action.of)
            const { error } = await send(ISSUER, 'revoke', [account(action.of)])
            expect(error).toBe(expected)
            const c = model.credentials.get(action.of)
            if (!expected && c) c.revoked = true
          } else if (action.kind === 'prescribe') {
            const commitment = rxAt(action.rx)
            const expiry = time + 1 + action.duration
            const expected = model.prescribeError(action.by, commitment, action.total, expiry, time + 1)
            const { error } = await send(action.by, 'prescribe', [commitment, action.total, expiry])
            expect(error).toBe(expected)
            if (!expected) model.prescriptions.set(commitment, { prescriber: account(action.by), total: action.total, remaining: action.total, expiry, cancelled: false })
          } else if (action.kind === 'dispense') {
            const commitment = rxAt(action.rx)
            const expected = model.dispenseError(action.by, commitment, action.amount, time + 1)
            const { receipt, error } = await send(action.by, 'dispense', [commitment, action.amount])
            expect(error).toBe(expected)
            const p = model.prescriptions.get(commitment)
            if (!expected && p) {
              p.remaining -= action.amount
              seen.add(p.remaining === 0 ? 'dispensed the last unit' : 'dispensed')
              dispensed.set(commitment, (dispensed.get(commitment) ?? 0) + action.amount)
              expect(chain.events(receipt)).toEqual([
                { eventName: 'Dispensed', args: { commitment, pharmacy: account(action.by), amount: action.amount, remaining: p.remaining } },
              ])
            }
          } else {
            const commitment = rxAt(action.rx)
            const expected = model.cancelError(account(action.by), commitment)
            const { error } = await send(action.by, 'cancel', [commitment])
            expect(error).toBe(expected)
            const p = model.prescriptions.get(commitment)
            if (!expected && p) p.cancelled = true
          }

          // The chain agrees with the model for every professional, role and prescription.
          const blockNumber = await reader.getBlockNumber({ cacheTime: 0 })
          const [statuses, onChain] = await Promise.all([
            Promise.all(
              PROFESSIONALS.flatMap((who) =>
                [PRESCRIBER, PHARMACY, CLINICIAN].map((role) =>
                  reader.readContract({ address: credentials, abi: credentialRegistryAbi, functionName: 'statusFor', args: [account(who), role], blockNumber }),
                ),
              ),
            ),
            Promise.all(pool.map((c) => reader.readContract({ address: prescriptions, abi: prescriptionRegistryAbi, functionName: 'prescriptionOf', args: [c], blockNumber }))),
          ])
          expect(statuses).toEqual(PROFESSIONALS.flatMap((who) => [PRESCRIBER, PHARMACY, CLINICIAN].map((role) => model.credentialStatus(who, role, time))))
          expect(onChain).toEqual(
            pool.map((c) => {
              const p = model.prescriptions.get(c)
              return p ? [p.prescriber, p.total, p.remaining, p.expiry, p.cancelled, time >= p.expiry] : [zeroAddress, 0, 0, 0, false, false]
            }),
          )
          // No quantity lost or doubled: what was dispensed plus what remains is the total.
          for (const [c, p] of model.prescriptions) expect((dispensed.get(c) ?? 0) + p.remaining).toBe(p.total)
        }
      }),
      { numRuns: 25, examples: [[EVERY_RULE]] },
    )
    expect([...seen].sort()).toEqual(
      [
        'AlreadyCancelled',
        'CancelledPrescription',
        'CredentialAlreadyRevoked',
        'EmptyQuantity',
        'ExpiryInPast',
        'InvalidValidity',
        'MoreThanRemains',
        'NoCredential',
        'NotThePrescriber',
        'PharmacyNotVerified',
        'PrescriberNotVerified',
        'PrescriptionAlreadyRecorded',
        'PrescriptionExpired',
        'UnknownPrescription',
        'dispense attempted',
        'dispensed',
        'dispensed the last unit',
      ].sort(),
    )
  })
})
