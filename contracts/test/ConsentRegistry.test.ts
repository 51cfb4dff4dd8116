import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  createPublicClient,
  decodeFunctionData,
  encodeAbiParameters,
  getAddress,
  hashTypedData,
  http,
  keccak256,
  parseEventLogs,
  recoverAddress,
  toHex,
  zeroHash,
  type Address,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
} from 'viem'
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount, type LocalAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { grantCommitment, GRANT_TERMS_ABI_PARAMETER, type RegistryLocation } from '../../src/domain/consent/commitment.ts'
import {
  compactGrantSignature,
  grantTypedData,
  revokeTypedData,
  SECP256K1_HALF_ORDER,
  type CompactGrantSignature,
  type SignedGrantMessage,
  type SignedRevokeMessage,
} from '../../src/domain/consent/grantSignature.ts'
import type { GrantTerms } from '../../src/domain/consent/terms.ts'
import { consentRegistryAbi, consentRegistryBytecode } from '../generated/ConsentRegistry.ts'
import { ANVIL_MNEMONIC, startLocalChainForTests, type ChainFixture } from '../../scripts/lib/chainFixture.ts'
import { revertOf } from './support.ts'

const local = startLocalChainForTests()

/** The contract's Status enum. */
const Status = { Unknown: 0, Active: 1, Revoked: 2, Expired: 3, Pending: 4 } as const
const statusName = (s: number) => Object.keys(Status).find((k) => Status[k as keyof typeof Status] === s) ?? `?${s}`

const random32 = (): Hex => toHex(crypto.getRandomValues(new Uint8Array(32)))
const HOUR = 3_600n

function makeTerms(patient: Address, period: { validFrom: bigint; validUntil: bigint }): GrantTerms {
  return {
    patient,
    grantee: random32(),
    scopeHash: random32(),
    purpose: toHex('TREAT', { size: 32 }),
    validFrom: period.validFrom,
    validUntil: period.validUntil,
    dataHash: random32(),
    salt: random32(),
  }
}

/** Helpers bound to one registry deployment and the fixture's accounts. */
function registryUnderTest(fixture: ChainFixture, address: () => Address) {
  const wallet = (i: number) => {
    const w = fixture.wallets[i]
    if (!w) throw new Error(`no wallet ${i}`)
    return w
  }
  const receiptOf = (hash: Hex) => fixture.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 })
  return {
    wallet,
    location: () => ({ chainId: fixture.deployment.chainId, registry: address() }),
    commitment: (terms: GrantTerms) => grantCommitment(terms, { chainId: fixture.deployment.chainId, registry: address() }),
    async grant(by: number, commitment: Hex, validUntil: bigint): Promise<TransactionReceipt> {
      return receiptOf(await wallet(by).writeContract({ address: address(), abi: consentRegistryAbi, functionName: 'grant', args: [commitment, validUntil] }))
    },
    async grantBatch(by: number, commitments: Hex[], validUntils: bigint[]): Promise<TransactionReceipt> {
      return receiptOf(
        await wallet(by).writeContract({ address: address(), abi: consentRegistryAbi, functionName: 'grantBatch', args: [commitments, validUntils] }),
      )
    },
    async revoke(by: number, commitment: Hex): Promise<TransactionReceipt> {
      return receiptOf(await wallet(by).writeContract({ address: address(), abi: consentRegistryAbi, functionName: 'revoke', args: [commitment] }))
    },
    /** Submits a signed grant from account `by` (the sponsor); the patient is whoever signed. */
    async grantBySig(by: number, message: SignedGrantMessage, signature: CompactGrantSignature): Promise<TransactionReceipt> {
      return receiptOf(
        await wallet(by).writeContract({
          address: address(),
          abi: consentRegistryAbi,
          functionName: 'grantBySig',
          args: [message.commitment, message.validUntil, message.deadline, signature.r, signature.vs],
        }),
      )
    },
    async revokeBySig(by: number, message: SignedRevokeMessage, signature: CompactGrantSignature): Promise<TransactionReceipt> {
      return receiptOf(
        await wallet(by).writeContract({
          address: address(),
          abi: consentRegistryAbi,
          functionName: 'revokeBySig',
          args: [message.commitment, message.deadline, signature.r, signature.vs],
        }),
      )
    },
    statusOf: (terms: GrantTerms) =>
      fixture.publicClient.readContract({ address: address(), abi: consentRegistryAbi, functionName: 'statusOf', args: [terms] }),
    statusOfGrant: (patient: Address, commitment: Hex, validFrom: bigint, validUntil: bigint) =>
      fixture.publicClient.readContract({
        address: address(),
        abi: consentRegistryAbi,
        functionName: 'statusOfGrant',
        args: [patient, commitment, validFrom, validUntil],
      }),
    statusOfCommitment: (patient: Address, commitment: Hex) =>
      fixture.publicClient.readContract({ address: address(), abi: consentRegistryAbi, functionName: 'statusOfCommitment', args: [patient, commitment] }),
    events: (receipt: TransactionReceipt) =>
      parseEventLogs({ abi: consentRegistryAbi, logs: receipt.logs.filter((l) => getAddress(l.address) === getAddress(address())) }).map(
        (e) => ({ eventName: e.eventName, args: e.args }),
      ),
  }
}

const registry = registryUnderTest(local, () => local.deployment.consentRegistry)
const patientOf = (i: number) => registry.wallet(i).account.address

/** A grant by account 1 of fresh terms, valid from a minute ago for `hours`. */
async function freshGrant(hours = 24n) {
  const now = await local.now()
  const terms = makeTerms(patientOf(1), { validFrom: now - 60n, validUntil: now + hours * HOUR })
  const commitment = registry.commitment(terms)
  const receipt = await registry.grant(1, commitment, terms.validUntil)
  return { terms, commitment, receipt }
}

describe('ConsentRegistry: recording a grant', () => {
  it('records a grant as active, emits ConsentGranted, and reads back through every view', async () => {
    const { terms, commitment, receipt } = await freshGrant()
    expect(receipt.status).toBe('success')
    expect(registry.events(receipt)).toEqual([
      { eventName: 'ConsentGranted', args: { patient: patientOf(1), commitment, validUntil: terms.validUntil } },
    ])
    expect(await registry.statusOf(terms)).toBe(Status.Active)
    expect(await registry.statusOfGrant(terms.patient, commitment, terms.validFrom, terms.validUntil)).toBe(Status.Active)
    expect(await registry.statusOfCommitment(terms.patient, commitment)).toEqual([Status.Active, terms.validUntil])
  })

  it('puts only the commitment and the end of validity on chain: no grantee, scope, purpose or salt', async () => {
    const { terms, commitment, receipt } = await freshGrant()
    const tx = await local.publicClient.getTransaction({ hash: receipt.transactionHash })
    expect(decodeFunctionData({ abi: consentRegistryAbi, data: tx.input })).toEqual({ functionName: 'grant', args: [commitment, terms.validUntil] })
    const published = [tx.input, ...receipt.logs.flatMap((l) => [l.data, ...l.topics])].join('').toLowerCase()
    for (const secret of [terms.grantee, terms.scopeHash, terms.dataHash, terms.salt, terms.purpose]) {
      expect(published).not.toContain(secret.slice(2).toLowerCase())
    }
  })

  it('refuses to record the same grant twice', async () => {
    const { terms, commitment } = await freshGrant()
    expect(await revertOf(registry.grant(1, commitment, terms.validUntil))).toEqual({ name: 'GrantAlreadyRecorded', args: [commitment] })
    // Not even with another end of validity: a recorded grant is never extended.
    expect(await revertOf(registry.grant(1, commitment, terms.validUntil + HOUR))).toEqual({ name: 'GrantAlreadyRecorded', args: [commitment] })
    expect(await registry.statusOfCommitment(terms.patient, commitment)).toEqual([Status.Active, terms.validUntil])
  })

  it('refuses a validity that has already ended, including one ending right now', async () => {
    const now = await local.now()
    const past = makeTerms(patientOf(1), { validFrom: now - 2n * HOUR, validUntil: now - HOUR })
    expect(await revertOf(registry.grant(1, registry.commitment(past), past.validUntil))).toEqual({ name: 'ValidityEnded', args: [past.validUntil] })
    // The transaction lands in a later block, so "now" is already in the past there.
    expect(await revertOf(registry.grant(1, random32(), now))).toEqual({ name: 'ValidityEnded', args: [now] })
    expect(await revertOf(registry.grant(1, random32(), 0n))).toEqual({ name: 'ValidityEnded', args: [0n] })
  })

  it('refuses an empty commitment', async () => {
    const now = await local.now()
    expect(await revertOf(registry.grant(1, zeroHash, now + HOUR))).toEqual({ name: 'EmptyCommitment', args: [] })
  })

  it('keys grants by patient: another account recording the same commitment changes nothing for the patient', async () => {
    const { terms, commitment } = await freshGrant()
    const receipt = await registry.grant(2, commitment, terms.validUntil + HOUR)
    expect(registry.events(receipt)[0]?.args).toMatchObject({ patient: patientOf(2), commitment })
    expect(await registry.statusOf(terms)).toBe(Status.Active)
    expect(await registry.statusOfCommitment(patientOf(1), commitment)).toEqual([Status.Active, terms.validUntil])
    // And terms naming account 1 are never vouched for by account 2's record.
    const unrecorded = makeTerms(patientOf(1), { validFrom: terms.validFrom, validUntil: terms.validUntil })
    await registry.grant(2, registry.commitment(unrecorded), unrecorded.validUntil)
    expect(await registry.statusOf(unrecorded)).toBe(Status.Unknown)
  })
})

describe('ConsentRegistry: statusOf', () => {
  it('is Unknown for terms that were never granted', async () => {
    const now = await local.now()
    expect(await registry.statusOf(makeTerms(patientOf(1), { validFrom: now, validUntil: now + HOUR }))).toBe(Status.Unknown)
    expect(await registry.statusOfCommitment(patientOf(1), random32())).toEqual([Status.Unknown, 0n])
  })

  it('is Unknown when the terms claim a longer validity, or any other change, than what was granted', async () => {
    const { terms } = await freshGrant()
    expect(await registry.statusOf({ ...terms, validUntil: terms.validUntil + 1n })).toBe(Status.Unknown)
    expect(await registry.statusOf({ ...terms, validFrom: terms.validFrom - 1n })).toBe(Status.Unknown)
    expect(await registry.statusOf({ ...terms, grantee: random32() })).toBe(Status.Unknown)
    expect(await registry.statusOf({ ...terms, purpose: toHex('HRESCH', { size: 32 }) })).toBe(Status.Unknown)
    expect(await registry.statusOf({ ...terms, patient: patientOf(2) })).toBe(Status.Unknown)
  })

  it('is Unknown when the patient recorded another end of validity than the terms state', async () => {
    const now = await local.now()
    const terms = makeTerms(patientOf(1), { validFrom: now - 60n, validUntil: now + HOUR })
    const commitment = registry.commitment(terms)
    await registry.grant(1, commitment, terms.validUntil + 10n * HOUR)
    expect(await registry.statusOfCommitment(terms.patient, commitment)).toEqual([Status.Active, terms.validUntil + 10n * HOUR])
    expect(await registry.statusOf(terms)).toBe(Status.Unknown)
    expect(await registry.statusOfGrant(terms.patient, commitment, terms.validFrom, terms.validUntil)).toBe(Status.Unknown)
  })

  it('is Pending before validFrom, Active from validFrom, Expired from validUntil, to the second', async () => {
    const { mineAt } = local.clock
    const now = await local.now()
    const terms = makeTerms(patientOf(1), { validFrom: now + HOUR, validUntil: now + 3n * HOUR })
    await registry.grant(1, registry.commitment(terms), terms.validUntil)
    expect(await registry.statusOf(terms)).toBe(Status.Pending)
    // statusOfCommitment knows nothing of validFrom: it says recorded and not yet ended.
    expect((await registry.statusOfCommitment(terms.patient, registry.commitment(terms)))[0]).toBe(Status.Active)
    await mineAt(terms.validFrom - 1n)
    expect(await registry.statusOf(terms)).toBe(Status.Pending)
    await mineAt(terms.validFrom)
    expect(await registry.statusOf(terms)).toBe(Status.Active)
    await mineAt(terms.validUntil - 1n)
    expect(await registry.statusOf(terms)).toBe(Status.Active)
    await mineAt(terms.validUntil)
    expect(await registry.statusOf(terms)).toBe(Status.Expired)
  })
})

describe('ConsentRegistry: revoking', () => {
  it('lets the granting patient revoke, emits ConsentRevoked, and the grant stays revoked', async () => {
    const { terms, commitment } = await freshGrant()
    const receipt = await registry.revoke(1, commitment)
    expect(registry.events(receipt)).toEqual([{ eventName: 'ConsentRevoked', args: { patient: patientOf(1), commitment } }])
    expect(await registry.statusOf(terms)).toBe(Status.Revoked)
    expect(await registry.statusOfCommitment(terms.patient, commitment)).toEqual([Status.Revoked, terms.validUntil])
    await local.clock.advance(48 * 3600)
    expect(await registry.statusOf(terms)).toBe(Status.Revoked)
  })

  it('refuses a revoke by anyone but the granting patient, and the grant stays active', async () => {
    const { terms, commitment } = await freshGrant()
    for (const other of [0, 2, 3]) {
      expect(await revertOf(registry.revoke(other, commitment))).toEqual({ name: 'UnknownGrant', args: [commitment] })
    }
    expect(await registry.statusOf(terms)).toBe(Status.Active)
  })

  it('refuses to revoke twice or to revoke what was never granted', async () => {
    const { commitment } = await freshGrant()
    await registry.revoke(1, commitment)
    expect(await revertOf(registry.revoke(1, commitment))).toEqual({ name: 'GrantAlreadyRevoked', args: [commitment] })
    const never = random32()
    expect(await revertOf(registry.revoke(1, never))).toEqual({ name: 'UnknownGrant', args: [never] })
  })

  it('never lets a revoked grant become active again: granting it anew is refused', async () => {
    const { terms, commitment } = await freshGrant()
    await registry.revoke(1, commitment)
    expect(await revertOf(registry.grant(1, commitment, terms.validUntil))).toEqual({ name: 'GrantAlreadyRecorded', args: [commitment] })
    expect(await registry.statusOf(terms)).toBe(Status.Revoked)
  })

  it('never lets an expired grant become active again, though it can still be revoked', async () => {
    const { terms, commitment } = await freshGrant(1n)
    await local.clock.advance(3 * 3600)
    expect(await registry.statusOf(terms)).toBe(Status.Expired)
    expect(await revertOf(registry.grant(1, commitment, (await local.now()) + HOUR))).toEqual({ name: 'GrantAlreadyRecorded', args: [commitment] })
    await registry.revoke(1, commitment)
    expect(await registry.statusOf(terms)).toBe(Status.Revoked)
  })
})

describe('ConsentRegistry: grantBatch', () => {
  it('records every grant of the batch, with one event each, in order', async () => {
    const now = await local.now()
    const all = Array.from({ length: 4 }, (_, i) => makeTerms(patientOf(1), { validFrom: now - 60n, validUntil: now + BigInt(i + 1) * HOUR }))
    const commitments = all.map(registry.commitment)
    const receipt = await registry.grantBatch(1, commitments, all.map((t) => t.validUntil))
    expect(registry.events(receipt)).toEqual(
      all.map((t, i) => ({ eventName: 'ConsentGranted', args: { patient: patientOf(1), commitment: commitments[i], validUntil: t.validUntil } })),
    )
    for (const t of all) expect(await registry.statusOf(t)).toBe(Status.Active)
  })

  it('refuses an empty batch and lists of different lengths', async () => {
    const now = await local.now()
    expect(await revertOf(registry.grantBatch(1, [], []))).toEqual({ name: 'BatchMismatch', args: [] })
    expect(await revertOf(registry.grantBatch(1, [random32(), random32()], [now + HOUR]))).toEqual({ name: 'BatchMismatch', args: [] })
    expect(await revertOf(registry.grantBatch(1, [random32()], [now + HOUR, now + HOUR]))).toEqual({ name: 'BatchMismatch', args: [] })
  })

  it('records nothing when any grant of the batch is refused', async () => {
    const now = await local.now()
    const { commitment: recorded } = await freshGrant()
    const fresh = [random32(), random32()]
    const cases: { commitments: Hex[]; validUntils: bigint[]; error: string }[] = [
      { commitments: [...fresh, recorded], validUntils: [now + HOUR, now + HOUR, now + HOUR], error: 'GrantAlreadyRecorded' },
      { commitments: [fresh[0]!, fresh[0]!], validUntils: [now + HOUR, now + HOUR], error: 'GrantAlreadyRecorded' },
      { commitments: fresh, validUntils: [now + HOUR, now - HOUR], error: 'ValidityEnded' },
      { commitments: [...fresh, zeroHash], validUntils: [now + HOUR, now + HOUR, now + HOUR], error: 'EmptyCommitment' },
    ]
    for (const c of cases) {
      expect((await revertOf(registry.grantBatch(1, c.commitments, c.validUntils))).name).toBe(c.error)
      for (const f of fresh) expect(await registry.statusOfCommitment(patientOf(1), f)).toEqual([Status.Unknown, 0n])
    }
  })
})

describe('ConsentRegistry: the commitment binds the chain and the registry', () => {
  it('commitmentOf is keccak256(abi.encode(chainid, registry, terms))', async () => {
    const now = await local.now()
    const terms = makeTerms(patientOf(1), { validFrom: now, validUntil: now + HOUR })
    const expected = keccak256(
      encodeAbiParameters([{ type: 'uint256' }, { type: 'address' }, GRANT_TERMS_ABI_PARAMETER], [31337n, local.deployment.consentRegistry, terms]),
    )
    const onChain = await local.publicClient.readContract({
      address: local.deployment.consentRegistry,
      abi: consentRegistryAbi,
      functionName: 'commitmentOf',
      args: [terms],
    })
    expect(onChain).toBe(expected)
    const elsewhere = keccak256(
      encodeAbiParameters([{ type: 'uint256' }, { type: 'address' }, GRANT_TERMS_ABI_PARAMETER], [1n, local.deployment.consentRegistry, terms]),
    )
    expect(onChain).not.toBe(elsewhere)
  })

  it('a grant recorded in one registry is Unknown in another, even if its commitment is copied there', async () => {
    const hash = await registry.wallet(0).deployContract({ abi: consentRegistryAbi, bytecode: consentRegistryBytecode })
    const second = (await local.publicClient.waitForTransactionReceipt({ hash })).contractAddress
    if (!second) throw new Error('no second registry')
    const other = registryUnderTest(local, () => getAddress(second))

    const { terms, commitment } = await freshGrant()
    expect(await other.statusOf(terms)).toBe(Status.Unknown)
    expect(other.commitment(terms)).not.toBe(commitment)
    // The patient records the first registry's commitment in the second: it still does not
    // vouch for the terms there, because the second registry derives another commitment.
    await other.grant(1, commitment, terms.validUntil)
    expect(await other.statusOf(terms)).toBe(Status.Unknown)
  })
})

// ---------------------------------------------------------------------------------------------
// Signed grants and revokes: a per-grant key signs, a sponsor (account 4) submits and pays.

const SPONSOR = 4
/** A fresh per-grant key, as the wallet derives one for each grant. */
const perGrantKey = (): LocalAccount => privateKeyToAccount(generatePrivateKey())

async function signGrant(key: LocalAccount, message: SignedGrantMessage, location: RegistryLocation = registry.location()) {
  return compactGrantSignature(await key.signTypedData(grantTypedData(location, message)))
}
async function signRevoke(key: LocalAccount, message: SignedRevokeMessage, location: RegistryLocation = registry.location()) {
  return compactGrantSignature(await key.signTypedData(revokeTypedData(location, message)))
}

/** A grant signed by a fresh per-grant key and submitted by the sponsor. */
async function signedGrant(key: LocalAccount = perGrantKey()) {
  const now = await local.now()
  const message: SignedGrantMessage = { commitment: random32(), validUntil: now + 24n * HOUR, deadline: now + HOUR }
  const receipt = await registry.grantBySig(SPONSOR, message, await signGrant(key, message))
  return { key, message, receipt }
}

describe('ConsentRegistry: grants and revokes signed by a per-grant key, submitted by a sponsor', () => {
  it('uses the EIP-712 domain "CareKey Consent Registry", version 1, this chain and this registry', async () => {
    const separator = await local.publicClient.readContract({ address: local.deployment.consentRegistry, abi: consentRegistryAbi, functionName: 'domainSeparator' })
    const typeHash = (text: string) => keccak256(toHex(text))
    expect(separator).toBe(
      keccak256(
        encodeAbiParameters(
          [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'bytes32' }, { type: 'uint256' }, { type: 'address' }],
          [
            typeHash('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)'),
            typeHash('CareKey Consent Registry'),
            typeHash('1'),
            BigInt(local.deployment.chainId),
            local.deployment.consentRegistry,
          ],
        ),
      ),
    )
    // And the digest the contract verifies is the one viem signs.
    const key = perGrantKey()
    const message = { commitment: random32(), validUntil: (await local.now()) + HOUR, deadline: (await local.now()) + HOUR }
    const structHash = keccak256(
      encodeAbiParameters(
        [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'uint64' }, { type: 'uint64' }],
        [typeHash('Grant(bytes32 commitment,uint64 validUntil,uint64 deadline)'), message.commitment, message.validUntil, message.deadline],
      ),
    )
    expect(hashTypedData(grantTypedData(registry.location(), message))).toBe(keccak256(`0x1901${separator.slice(2)}${structHash.slice(2)}`))
    expect(registry.events(await registry.grantBySig(SPONSOR, message, await signGrant(key, message)))[0]?.args).toMatchObject({ patient: key.address })
  })

  it('records the grant for the signer, not the sponsor, with the same event as a direct grant', async () => {
    const { key, message, receipt } = await signedGrant()
    expect(receipt.from).toBe(patientOf(SPONSOR).toLowerCase())
    expect(registry.events(receipt)).toEqual([
      { eventName: 'ConsentGranted', args: { patient: key.address, commitment: message.commitment, validUntil: message.validUntil } },
    ])
    expect(await registry.statusOfCommitment(key.address, message.commitment)).toEqual([Status.Active, message.validUntil])
    expect(await registry.statusOfCommitment(patientOf(SPONSOR), message.commitment)).toEqual([Status.Unknown, 0n])
  })

  it('verifies terms recorded by signature like any other: statusOf the terms is Active', async () => {
    const key = perGrantKey()
    const now = await local.now()
    const terms = makeTerms(key.address, { validFrom: now - 60n, validUntil: now + HOUR })
    const message = { commitment: registry.commitment(terms), validUntil: terms.validUntil, deadline: now + 600n }
    await registry.grantBySig(SPONSOR, message, await signGrant(key, message))
    expect(await registry.statusOf(terms)).toBe(Status.Active)
  })

  it('revokes by a signature of the grant key, submitted by anyone, and the grant stays revoked', async () => {
    const { key, message } = await signedGrant()
    const revoke = { commitment: message.commitment, deadline: (await local.now()) + HOUR }
    const receipt = await registry.revokeBySig(2, revoke, await signRevoke(key, revoke))
    expect(registry.events(receipt)).toEqual([{ eventName: 'ConsentRevoked', args: { patient: key.address, commitment: message.commitment } }])
    expect(await registry.statusOfCommitment(key.address, message.commitment)).toEqual([Status.Revoked, message.validUntil])
  })

  it('refuses a replayed grant signature and a replayed revoke signature', async () => {
    const { key, message } = await signedGrant()
    const signature = await signGrant(key, message)
    expect(await revertOf(registry.grantBySig(2, message, signature))).toEqual({ name: 'GrantAlreadyRecorded', args: [message.commitment] })
    const revoke = { commitment: message.commitment, deadline: (await local.now()) + HOUR }
    const revokeSignature = await signRevoke(key, revoke)
    await registry.revokeBySig(SPONSOR, revoke, revokeSignature)
    expect(await revertOf(registry.revokeBySig(SPONSOR, revoke, revokeSignature))).toEqual({ name: 'GrantAlreadyRevoked', args: [message.commitment] })
    // A revoke signature binds its commitment: used for another grant of the same key, it is another message.
    const other = await signedGrant(key)
    expect(await revertOf(registry.revokeBySig(SPONSOR, { ...revoke, commitment: other.message.commitment }, revokeSignature))).toEqual({
      name: 'UnknownGrant',
      args: [other.message.commitment],
    })
    expect(await registry.statusOfCommitment(key.address, other.message.commitment)).toEqual([Status.Active, other.message.validUntil])
  })

  it('accepts a signature up to its deadline, to the second, and refuses it after', async () => {
    const key = perGrantKey()
    const now = await local.now()
    const late = { commitment: random32(), validUntil: now + 24n * HOUR, deadline: now + 100n }
    await local.clock.nextBlockAt(late.deadline + 1n)
    expect(await revertOf(registry.grantBySig(SPONSOR, late, await signGrant(key, late)))).toEqual({ name: 'SignatureExpired', args: [late.deadline] })
    const onTime = { commitment: random32(), validUntil: now + 24n * HOUR, deadline: (await local.now()) + 10n }
    await local.clock.nextBlockAt(onTime.deadline)
    await registry.grantBySig(SPONSOR, onTime, await signGrant(key, onTime))
    expect((await registry.statusOfCommitment(key.address, onTime.commitment))[0]).toBe(Status.Active)

    const revoke = { commitment: onTime.commitment, deadline: (await local.now()) + 10n }
    await local.clock.nextBlockAt(revoke.deadline + 1n)
    expect(await revertOf(registry.revokeBySig(SPONSOR, revoke, await signRevoke(key, revoke)))).toEqual({ name: 'SignatureExpired', args: [revoke.deadline] })
    expect((await registry.statusOfCommitment(key.address, onTime.commitment))[0]).toBe(Status.Active)
  })

  it('applies the same rules as a direct grant: no empty commitment, no ended validity', async () => {
    const key = perGrantKey()
    const now = await local.now()
    const empty = { commitment: zeroHash, validUntil: now + HOUR, deadline: now + HOUR }
    expect(await revertOf(registry.grantBySig(SPONSOR, empty, await signGrant(key, empty)))).toEqual({ name: 'EmptyCommitment', args: [] })
    const ended = { commitment: random32(), validUntil: now, deadline: now + HOUR }
    expect(await revertOf(registry.grantBySig(SPONSOR, ended, await signGrant(key, ended)))).toEqual({ name: 'ValidityEnded', args: [now] })
  })

  it('never records a grant for the signer from a signature made for another chain, another registry, or other terms', async () => {
    const key = perGrantKey()
    const now = await local.now()
    const message = { commitment: random32(), validUntil: now + 24n * HOUR, deadline: now + HOUR }
    const elsewhere: RegistryLocation[] = [
      { chainId: 1, registry: local.deployment.consentRegistry },
      { chainId: local.deployment.chainId, registry: getAddress(toHex(crypto.getRandomValues(new Uint8Array(20)))) },
    ]
    for (const location of elsewhere) {
      const receipt = await registry.grantBySig(SPONSOR, message, await signGrant(key, message, location))
      // It recovers to an address nobody holds the key of: whatever it records there, it is not the signer's.
      const [event] = registry.events(receipt)
      expect(event?.args).toMatchObject({ commitment: message.commitment })
      expect(event?.args).not.toMatchObject({ patient: key.address })
    }
    // A signature whose message was changed on the way (a longer validity) is another signer's too.
    const signature = await signGrant(key, message)
    const [stretched] = registry.events(await registry.grantBySig(SPONSOR, { ...message, validUntil: message.validUntil + 1n }, signature))
    expect(stretched?.args).not.toMatchObject({ patient: key.address })
    expect(await registry.statusOfCommitment(key.address, message.commitment)).toEqual([Status.Unknown, 0n])
    // The real signature still works afterwards.
    await registry.grantBySig(SPONSOR, message, signature)
    expect(await registry.statusOfCommitment(key.address, message.commitment)).toEqual([Status.Active, message.validUntil])
  })

  it('refuses a revoke signed for another chain or registry, or by another key, and the grant stays active', async () => {
    const { key, message } = await signedGrant()
    const revoke = { commitment: message.commitment, deadline: (await local.now()) + HOUR }
    const attempts = [
      await signRevoke(key, revoke, { chainId: 1, registry: local.deployment.consentRegistry }),
      await signRevoke(key, revoke, { chainId: local.deployment.chainId, registry: getAddress(toHex(crypto.getRandomValues(new Uint8Array(20)))) }),
      await signRevoke(perGrantKey(), revoke),
    ]
    for (const signature of attempts) {
      expect(await revertOf(registry.revokeBySig(SPONSOR, revoke, signature))).toEqual({ name: 'UnknownGrant', args: [message.commitment] })
    }
    expect(await registry.statusOfCommitment(key.address, message.commitment)).toEqual([Status.Active, message.validUntil])
  })

  it('refuses the malleated twin of a valid signature (high s) and a signature that recovers to no address', async () => {
    const now = await local.now()
    const message = { commitment: random32(), validUntil: now + 24n * HOUR, deadline: now + HOUR }
    const { r } = await signGrant(perGrantKey(), message)
    // (r, s) and (r, n - s) with the other parity recover to the same address. Choose s so that
    // both fit a compact signature: the low one at exactly half the order, the high one just above.
    const low = { r, vs: toHex(SECP256K1_HALF_ORDER, { size: 32 }) }
    const high = { r, vs: toHex(SECP256K1_HALF_ORDER + 1n + (1n << 255n), { size: 32 }) }
    const digest = hashTypedData(grantTypedData(registry.location(), message))
    const signer = await recoverAddress({ hash: digest, signature: { r, s: low.vs, yParity: 0 } })
    expect(await recoverAddress({ hash: digest, signature: { r, s: toHex(SECP256K1_HALF_ORDER + 1n, { size: 32 }), yParity: 1 } })).toBe(signer)

    expect(await revertOf(registry.grantBySig(SPONSOR, message, high))).toEqual({ name: 'InvalidSignature', args: [] })
    expect(registry.events(await registry.grantBySig(SPONSOR, message, low))[0]?.args).toMatchObject({ patient: signer })
    // An r of zero is no signature at all: ecrecover gives the zero address.
    const other = { ...message, commitment: random32() }
    expect(await revertOf(registry.grantBySig(SPONSOR, other, { r: zeroHash, vs: low.vs }))).toEqual({ name: 'InvalidSignature', args: [] })
    expect(await revertOf(registry.revokeBySig(SPONSOR, other, { r: zeroHash, vs: low.vs }))).toEqual({ name: 'InvalidSignature', args: [] })
    // And the helper that splits a signature refuses the high twin before it is sent.
    const highSignature = `${r}${toHex(SECP256K1_HALF_ORDER + 1n, { size: 32 }).slice(2)}1c` as Hex
    expect(() => compactGrantSignature(highSignature)).toThrow(/malleated/)
  })

  it('shares one state with direct calls: a key holding funds may revoke its signed grant itself, and nobody records it twice', async () => {
    const { message } = await signedGrant(mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: 3 }))
    expect(await revertOf(registry.grant(3, message.commitment, message.validUntil))).toEqual({ name: 'GrantAlreadyRecorded', args: [message.commitment] })
    await registry.revoke(3, message.commitment)
    expect((await registry.statusOfCommitment(patientOf(3), message.commitment))[0]).toBe(Status.Revoked)
  })
})

describe('ConsentRegistry: gas budgets', () => {
  it('one grant costs at most 50,000 gas, a revoke at most 32,000', async () => {
    const { commitment, receipt } = await freshGrant()
    expect(receipt.gasUsed).toBeLessThanOrEqual(50_000n)
    expect((await registry.revoke(1, commitment)).gasUsed).toBeLessThanOrEqual(32_000n)
  })

  it('a signed grant costs the sponsor at most 53,000 gas, a signed revoke at most 36,000', async () => {
    const { key, message, receipt } = await signedGrant()
    expect(receipt.gasUsed).toBeLessThanOrEqual(53_000n)
    const revoke = { commitment: message.commitment, deadline: (await local.now()) + HOUR }
    expect((await registry.revokeBySig(SPONSOR, revoke, await signRevoke(key, revoke))).gasUsed).toBeLessThanOrEqual(36_000n)
  })

  it('a batch of 10 grants costs at most 30,000 gas per grant', async () => {
    const now = await local.now()
    const commitments = Array.from({ length: 10 }, random32)
    const receipt = await registry.grantBatch(1, commitments, commitments.map(() => now + 24n * HOUR))
    expect(registry.events(receipt)).toHaveLength(10)
    expect(receipt.gasUsed).toBeLessThanOrEqual(10n * 30_000n)
  })
})

// ---------------------------------------------------------------------------------------------
// Property-based: random sequences of grants, batches, revokes and time travel by several
// accounts, run against a fresh registry each time and checked against an in-memory model.

const ACCOUNTS = [1, 2, 3] as const
type Account = (typeof ACCOUNTS)[number]

type TermSpec = { patient: Account; validFromOffset: number; duration: number }
/** Who acts: mostly the patient the terms name (so that grants succeed), sometimes anyone. */
type Actor = Account | 'patient'
type Action =
  | { kind: 'grant'; by: Actor; term: number; extend: boolean; signed: boolean }
  | { kind: 'grantBatch'; by: Actor; items: { term: number; extend: boolean }[] }
  | { kind: 'revoke'; by: Actor; term: number; signed: boolean }
  | { kind: 'travel'; seconds: number }
  | { kind: 'travelToEdge'; term: number; edge: 'validFrom' | 'validUntil'; delta: -1 | 0 | 1 }

const accountArb = fc.constantFrom(...ACCOUNTS)
const actorArb: fc.Arbitrary<Actor> = fc.oneof({ weight: 4, arbitrary: fc.constant('patient' as const) }, { weight: 1, arbitrary: accountArb })
const termSpecArb: fc.Arbitrary<TermSpec> = fc.record({
  patient: accountArb,
  validFromOffset: fc.integer({ min: -3_600, max: 7_200 }),
  duration: fc.oneof({ weight: 1, arbitrary: fc.integer({ min: 1, max: 60 }) }, { weight: 4, arbitrary: fc.integer({ min: 3_600, max: 100_000 }) }),
})
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('grant' as const), by: actorArb, term: fc.nat(), extend: fc.constantFrom(false, false, false, true), signed: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('grantBatch' as const),
      by: actorArb,
      items: fc.array(fc.record({ term: fc.nat(), extend: fc.constant(false) }), { minLength: 1, maxLength: 4 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('revoke' as const), by: actorArb, term: fc.nat(), signed: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('travel' as const),
      seconds: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 120 }) }, { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 30_000 }) }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('travelToEdge' as const),
      term: fc.nat(),
      edge: fc.constantFrom('validFrom' as const, 'validUntil' as const),
      delta: fc.constantFrom(-1 as const, 0 as const, 1 as const),
    }),
  },
)

type ModelGrant = { validUntil: bigint; revoked: boolean }
type Reading = { status: number; validUntil: bigint }

class RegistryModel {
  readonly grants = new Map<string, ModelGrant>()
  static key = (patient: Address, commitment: Hex) => `${getAddress(patient)}:${commitment.toLowerCase()}`

  /** The error the contract must give for recording these grants at `time`, or undefined. */
  recordError(by: Address, items: { commitment: Hex; validUntil: bigint }[], time: bigint): string | undefined {
    const seen = new Set<string>()
    for (const { commitment, validUntil } of items) {
      if (validUntil <= time) return 'ValidityEnded'
      const key = RegistryModel.key(by, commitment)
      if (this.grants.has(key) || seen.has(key)) return 'GrantAlreadyRecorded'
      seen.add(key)
    }
    return undefined
  }
  record(by: Address, items: { commitment: Hex; validUntil: bigint }[]) {
    for (const { commitment, validUntil } of items) this.grants.set(RegistryModel.key(by, commitment), { validUntil, revoked: false })
  }
  revokeError(by: Address, commitment: Hex): string | undefined {
    const grant = this.grants.get(RegistryModel.key(by, commitment))
    if (!grant) return 'UnknownGrant'
    if (grant.revoked) return 'GrantAlreadyRevoked'
    return undefined
  }
  revoke(by: Address, commitment: Hex) {
    const grant = this.grants.get(RegistryModel.key(by, commitment))
    if (grant) grant.revoked = true
  }
  statusOfCommitment(patient: Address, commitment: Hex, time: bigint): Reading {
    const grant = this.grants.get(RegistryModel.key(patient, commitment))
    if (!grant) return { status: Status.Unknown, validUntil: 0n }
    if (grant.revoked) return { status: Status.Revoked, validUntil: grant.validUntil }
    return { status: time >= grant.validUntil ? Status.Expired : Status.Active, validUntil: grant.validUntil }
  }
  statusOf(terms: GrantTerms, commitment: Hex, time: bigint): number {
    const { status, validUntil } = this.statusOfCommitment(terms.patient, commitment, time)
    if (validUntil !== terms.validUntil) return Status.Unknown
    if (status === Status.Active && time < terms.validFrom) return Status.Pending
    return status
  }
}

describe('ConsentRegistry: invariants over random sequences (fast-check)', () => {
  it('always agrees with the model, signed or direct; revoked and expired never come back; one record per patient and commitment; others never touch a patient’s grant', async () => {
    const rpcUrl = local.chain.rpcUrl
    const chain = { ...foundry, rpcUrls: { default: { http: [rpcUrl] } } }
    // Many reads per step: one batched HTTP request each time, with receipts polled quickly.
    const reader: PublicClient = createPublicClient({ chain, transport: http(rpcUrl, { batch: true }), pollingInterval: 20 })
    let time = await local.now()
    /** Every block is mined at a time the model chooses, so its predictions are exact. */
    const nextBlockAt = async (at: bigint) => {
      time = at > time ? at : time + 1n
      await local.clock.nextBlockAt(time)
    }

    await fc.assert(
      fc.asyncProperty(fc.array(termSpecArb, { minLength: 3, maxLength: 5 }), fc.array(actionArb, { minLength: 1, maxLength: 20, size: 'max' }), async (specs, actions) => {
        await nextBlockAt(time + 1n)
        const deployHash = await registry.wallet(0).deployContract({ abi: consentRegistryAbi, bytecode: consentRegistryBytecode })
        const deployed = await reader.waitForTransactionReceipt({ hash: deployHash })
        const address = deployed.contractAddress
        if (!address) throw new Error('deploy failed')
        const reg = registryUnderTest(local, () => getAddress(address))
        const start = time
        const pool = specs.map((s) => {
          const validFrom = start + BigInt(s.validFromOffset)
          const terms = makeTerms(patientOf(s.patient), { validFrom, validUntil: validFrom + BigInt(s.duration) })
          return { terms, commitment: reg.commitment(terms) }
        })
        const termAt = (i: number) => pool[i % pool.length]!
        /** 'patient' means the patient named by the (first) terms the action is about. */
        const resolve = (by: Actor, term: number): Account => (by === 'patient' ? specs[term % specs.length]!.patient : by)
        const model = new RegistryModel()
        const keys = ACCOUNTS.flatMap((a) => pool.map((p) => ({ account: a, patient: patientOf(a), commitment: p.commitment })))

        const read = async (blockNumber: bigint) => {
          const [byKey, byTerms] = await Promise.all([
            Promise.all(
              keys.map((k) =>
                reader.readContract({ address, abi: consentRegistryAbi, functionName: 'statusOfCommitment', args: [k.patient, k.commitment], blockNumber }),
              ),
            ),
            Promise.all(
              pool.map((p) => reader.readContract({ address, abi: consentRegistryAbi, functionName: 'statusOf', args: [p.terms], blockNumber })),
            ),
          ])
          return { byKey: byKey.map(([status, validUntil]): Reading => ({ status, validUntil })), byTerms }
        }

        type Write =
          | { functionName: 'grant'; args: readonly [Hex, bigint] }
          | { functionName: 'grantBatch'; args: readonly [readonly Hex[], readonly bigint[]] }
          | { functionName: 'revoke'; args: readonly [Hex] }
          | { functionName: 'grantBySig'; args: readonly [Hex, bigint, bigint, Hex, Hex] }
          | { functionName: 'revokeBySig'; args: readonly [Hex, bigint, Hex, Hex] }
        /** The account's key signs, for the sponsor to submit. */
        const signed = async (by: Account, kind: 'grant' | 'revoke', commitment: Hex, validUntil = 0n): Promise<Write> => {
          const key = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: by })
          const deadline = time + HOUR
          if (kind === 'grant') {
            const { r, vs } = await signGrant(key, { commitment, validUntil, deadline }, reg.location())
            return { functionName: 'grantBySig', args: [commitment, validUntil, deadline, r, vs] }
          }
          const { r, vs } = await signRevoke(key, { commitment, deadline }, reg.location())
          return { functionName: 'revokeBySig', args: [commitment, deadline, r, vs] }
        }
        /** Sends a write with a fixed gas limit, so that a revert is mined rather than refused up front. */
        const send = async (by: Account, write: Write) => {
          await nextBlockAt(time + 1n)
          const wallet = registry.wallet(write.functionName.endsWith('BySig') ? SPONSOR : by)
          const common = { address, abi: consentRegistryAbi, gas: 2_000_000n } as const
          const hash =
            write.functionName === 'grant'
              ? await wallet.writeContract({ ...common, functionName: 'grant', args: write.args })
              : write.functionName === 'grantBatch'
                ? await wallet.writeContract({ ...common, functionName: 'grantBatch', args: write.args })
                : write.functionName === 'revoke'
                  ? await wallet.writeContract({ ...common, functionName: 'revoke', args: write.args })
                  : write.functionName === 'grantBySig'
                    ? await wallet.writeContract({ ...common, functionName: 'grantBySig', args: write.args })
                    : await wallet.writeContract({ ...common, functionName: 'revokeBySig', args: write.args })
          const receipt = await reader.waitForTransactionReceipt({ hash })
          expect((await reader.getBlock({ blockNumber: receipt.blockNumber })).timestamp).toBe(time)
          if (receipt.status === 'success') return { receipt, error: undefined }
          // Replayed on the same state at the same block time, viem decodes the custom error.
          const replay = { address, abi: consentRegistryAbi, account: patientOf(by), blockNumber: receipt.blockNumber } as const
          const { name } = await revertOf(
            write.functionName === 'grant'
              ? reader.simulateContract({ ...replay, functionName: 'grant', args: write.args })
              : write.functionName === 'grantBatch'
                ? reader.simulateContract({ ...replay, functionName: 'grantBatch', args: write.args })
                : write.functionName === 'revoke'
                  ? reader.simulateContract({ ...replay, functionName: 'revoke', args: write.args })
                  : write.functionName === 'grantBySig'
                    ? reader.simulateContract({ ...replay, functionName: 'grantBySig', args: write.args })
                    : reader.simulateContract({ ...replay, functionName: 'revokeBySig', args: write.args }),
          )
          return { receipt, error: name }
        }

        let before = await read(deployed.blockNumber)
        const terminal = new Set<number>()
        const recordedUntil = new Map<number, bigint>()

        for (const action of actions) {
          let actor: Account | undefined
          let blockNumber: bigint
          if (action.kind === 'travel' || action.kind === 'travelToEdge') {
            const target =
              action.kind === 'travel' ? time + BigInt(action.seconds) : termAt(action.term).terms[action.edge] + BigInt(action.delta)
            await nextBlockAt(target)
            await local.clock.mineBlock()
            blockNumber = await reader.getBlockNumber({ cacheTime: 0 })
          } else if (action.kind === 'revoke') {
            const by = (actor = resolve(action.by, action.term))
            const { commitment } = termAt(action.term)
            const expected = model.revokeError(patientOf(by), commitment)
            const write: Write = action.signed ? await signed(by, 'revoke', commitment) : { functionName: 'revoke', args: [commitment] }
            const { receipt, error } = await send(by, write)
            expect(error).toBe(expected)
            if (!expected) model.revoke(patientOf(by), commitment)
            expect(reg.events(receipt)).toEqual(expected ? [] : [{ eventName: 'ConsentRevoked', args: { patient: patientOf(by), commitment } }])
            blockNumber = receipt.blockNumber
          } else {
            const list = action.kind === 'grant' ? [action] : action.items
            const by = (actor = resolve(action.by, list[0]!.term))
            const items = list.map((i) => {
              const { terms, commitment } = termAt(i.term)
              return { commitment, validUntil: terms.validUntil + (i.extend ? 1n : 0n) }
            })
            const expected = model.recordError(patientOf(by), items, time + 1n)
            const write: Write =
              action.kind === 'grant'
                ? action.signed
                  ? await signed(by, 'grant', items[0]!.commitment, items[0]!.validUntil)
                  : { functionName: 'grant', args: [items[0]!.commitment, items[0]!.validUntil] }
                : { functionName: 'grantBatch', args: [items.map((i) => i.commitment), items.map((i) => i.validUntil)] }
            const { receipt, error } = await send(by, write)
            expect(error).toBe(expected)
            if (!expected) model.record(patientOf(by), items)
            expect(reg.events(receipt)).toEqual(
              expected ? [] : items.map((i) => ({ eventName: 'ConsentGranted', args: { patient: patientOf(by), commitment: i.commitment, validUntil: i.validUntil } })),
            )
            blockNumber = receipt.blockNumber
          }

          const after = await read(blockNumber)
          // The chain agrees with the model, for every (account, commitment) and every terms.
          expect(after.byKey).toEqual(keys.map((k) => model.statusOfCommitment(k.patient, k.commitment, time)))
          expect(after.byTerms.map(statusName)).toEqual(pool.map((p) => statusName(model.statusOf(p.terms, p.commitment, time))))
          after.byKey.forEach((r, i) => {
            // Revoked or expired is final.
            if (terminal.has(i)) expect([Status.Revoked, Status.Expired]).toContain(r.status)
            if (r.status === Status.Revoked || r.status === Status.Expired) terminal.add(i)
            // Recorded once: the recorded end of validity never changes.
            const first = recordedUntil.get(i)
            if (first !== undefined) expect(r.validUntil).toBe(first)
            else if (r.validUntil !== 0n) recordedUntil.set(i, r.validUntil)
            // Another account's transaction leaves this account's grants as they were.
            const prev = before.byKey[i]!
            if (actor !== undefined && keys[i]!.account !== actor) {
              expect({ validUntil: r.validUntil, revoked: r.status === Status.Revoked }).toEqual({
                validUntil: prev.validUntil,
                revoked: prev.status === Status.Revoked,
              })
            }
          })
          before = after
        }
      }),
      { numRuns: 40 },
    )
  })
})
