/**
 * The credential and prescription bindings against a real anvil with CareKey's contracts: a
 * licensing body registers a prescriber and two pharmacies from signed credential documents, a
 * prescription of 2 units is written, signed and committed, pharmacy A dispenses 1, then both
 * pharmacies send "dispense the last unit" in the same block.
 */
import { describe, expect, it } from 'vitest'
import { toHex, type Hex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { ANVIL_MNEMONIC, startLocalChainForTests } from '../../scripts/lib/chainFixture.ts'
import { buildCredential, credentialMatchesRecord, signCredential, verifyCredential, type ProfessionalRole } from '../domain/credentials/index.ts'
import { buildMedicationRequest, prescriptionChainTerms, prescriptionCommitment, signPrescription, verifyPrescription } from '../domain/prescriptions/index.ts'
import {
  credentialRegistryOf,
  issueCredentialRequest,
  listCredentialEvents,
  readCredential,
  readIssuers,
  readRoleStatus,
  revokeCredentialRequest,
} from './credentialRegistry.ts'
import { NotACredentialIssuerError, NotTheCredentialIssuerError, toCredentialChainError } from './credentialRegistryErrors.ts'
import {
  cancelPrescriptionRequest,
  dispensedFromReceipt,
  dispenseRequest,
  prescribeRequest,
  prescriptionRegistryOf,
  readPrescription,
  readPrescriptionHistory,
  whyPrescriptionTransactionReverted,
} from './prescriptionRegistry.ts'
import {
  DispenseExceedsRemainingError,
  PharmacyNotVerifiedError,
  PrescriberNotVerifiedError,
  PrescriptionCancelledError,
  PrescriptionNotFoundError,
  toPrescriptionChainError,
} from './prescriptionRegistryErrors.ts'

const local = startLocalChainForTests()
const ISSUER = 8
const DOCTOR = 1
const PHARMACY_A = 3
const PHARMACY_B = 4
const NOBODY = 5

const wallet = (i: number) => {
  const w = local.wallets[i]
  if (!w) throw new Error(`no wallet ${i}`)
  return w
}
const config = () => ({
  chain: { id: local.deployment.chainId },
  credentialRegistry: { address: local.deployment.credentialRegistry, fromBlock: BigInt(local.deployment.credentialRegistryBlock) },
  prescriptionRegistry: { address: local.deployment.prescriptionRegistry, fromBlock: BigInt(local.deployment.prescriptionRegistryBlock) },
})
const credentials = () => {
  const r = credentialRegistryOf(config())
  if (!r) throw new Error('no credential registry')
  return r
}
const prescriptions = () => {
  const r = prescriptionRegistryOf(config())
  if (!r) throw new Error('no prescription registry')
  return r
}
const mined = (hash: Hex) => local.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 })
const now = async () => Number(await local.now())

/** The error a write would revert with (simulated), through the binding's decoder. */
async function refusal(attempt: Promise<unknown>, decode: (e: unknown) => unknown) {
  try {
    await attempt
  } catch (error) {
    return decode(error)
  }
  throw new Error('expected a refusal')
}
/** anvil's account `i` as a local key, to sign documents with. */
const key = (i: number) => mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: i })


async function register(professional: number, roles: ProfessionalRole[], name: string) {
  const location = { chainId: local.deployment.chainId, registry: local.deployment.credentialRegistry }
  const start = await now()
  const unsigned = buildCredential({
    chainId: location.chainId,
    issuer: { address: wallet(ISSUER).account.address, name: 'Local Licensing Board' },
    professional: wallet(professional).account.address,
    name,
    licenceNumber: `LIC-${professional}`,
    jurisdiction: 'Localland',
    roles,
    validFrom: start - 60,
    validUntil: start + 365 * 86_400,
  })
  const verified = await verifyCredential(await signCredential(key(ISSUER), unsigned, location, new Date(start * 1000)), location)
  await mined(await wallet(ISSUER).writeContract(issueCredentialRequest(credentials(), verified)))
  return verified
}

describe('credential bindings', () => {
  it('register a verified document, read it back as valid and matching, list it, revoke it', async () => {
    expect(await readIssuers(local.publicClient, credentials())).toEqual([wallet(ISSUER).account.address])
    const verified = await register(DOCTOR, ['clinician', 'prescriber'], 'Dr. Ada Lovelace')
    const reading = await readCredential(local.publicClient, credentials(), wallet(DOCTOR).account.address)
    expect(reading).toMatchObject({ status: 'valid', issuer: wallet(ISSUER).account.address, roles: ['clinician', 'prescriber'] })
    if (reading.status === 'none') throw new Error('no credential')
    expect(credentialMatchesRecord(verified, reading)).toBe(true)
    expect(await readRoleStatus(local.publicClient, credentials(), wallet(DOCTOR).account.address, 'prescriber')).toBe('valid')
    expect(await readRoleStatus(local.publicClient, credentials(), wallet(DOCTOR).account.address, 'pharmacy')).toBe('none')
    expect(await readCredential(local.publicClient, credentials(), wallet(NOBODY).account.address)).toEqual({ status: 'none', blockNumber: undefined })

    const events = await listCredentialEvents(local.publicClient, credentials(), { professional: wallet(DOCTOR).account.address })
    expect(events.map((e) => e.kind)).toEqual(['issued'])
    expect(events[0]).toMatchObject({ documentHash: verified.documentHash, roles: ['clinician', 'prescriber'] })
  })

  it('decode refusals into errors that say what to do', async () => {
    await register(PHARMACY_A, ['pharmacy'], 'Pharmacy A')
    const start = await now()
    const notAnIssuer = await refusal(
      local.publicClient.simulateContract({
        ...issueCredentialRequest(credentials(), { professional: wallet(NOBODY).account.address, roleBits: 4, validFrom: start, validUntil: start + 60, documentHash: toHex(1, { size: 32 }) }),
        account: wallet(NOBODY).account,
      }),
      toCredentialChainError,
    )
    expect(notAnIssuer).toBeInstanceOf(NotACredentialIssuerError)
    const notTheIssuer = await refusal(
      local.publicClient.simulateContract({ ...revokeCredentialRequest(credentials(), wallet(PHARMACY_A).account.address), account: wallet(DOCTOR).account }),
      toCredentialChainError,
    )
    expect(notTheIssuer).toBeInstanceOf(NotTheCredentialIssuerError)
    expect((notTheIssuer as NotTheCredentialIssuerError).userMessage).toContain(wallet(ISSUER).account.address)
  })
})

describe('prescription bindings', () => {
  it('prescribe 2, dispense 1 at A; A and B race for the last unit in one block: exactly one wins, the other reads why', async () => {
    await register(DOCTOR, ['clinician', 'prescriber'], 'Dr. Ada Lovelace')
    await register(PHARMACY_A, ['pharmacy'], 'Pharmacy A')
    await register(PHARMACY_B, ['pharmacy'], 'Pharmacy B')
    const location = { chainId: local.deployment.chainId, registry: local.deployment.prescriptionRegistry }
    const start = await now()
    const request = buildMedicationRequest(
      {
        id: crypto.randomUUID(),
        medication: { rxnorm: '308460' },
        dosage: '2 tablets on day 1, then 1 a day',
        quantity: { value: 1, unit: 'pack' },
        refills: 1,
        authoredOn: start,
        validUntil: start + 30 * 86_400,
        prescriber: { address: wallet(DOCTOR).account.address, name: 'Dr. Ada Lovelace' },
        patient: { name: 'Alex Example' },
      },
      location.chainId,
    )
    const signed = await signPrescription(key(DOCTOR), request, location)
    const salt = toHex(crypto.getRandomValues(new Uint8Array(32)))
    const commitment = prescriptionCommitment(signed, salt)
    await mined(await wallet(DOCTOR).writeContract(prescribeRequest(prescriptions(), commitment, prescriptionChainTerms(request))))

    // The pharmacy's view: the signature checks, and the chain agrees with the request.
    const verified = await verifyPrescription(signed, location)
    const reading = await readPrescription(local.publicClient, prescriptions(), commitment)
    expect(reading).toMatchObject({ state: 'active', prescriber: wallet(DOCTOR).account.address, total: 2, remaining: 2, expiry: verified.expiry, cancelled: false })
    expect(await readRoleStatus(local.publicClient, credentials(), verified.prescriber, 'prescriber')).toBe('valid')

    const first = await mined(await wallet(PHARMACY_A).writeContract(dispenseRequest(prescriptions(), commitment, 1)))
    expect(dispensedFromReceipt(prescriptions(), first, commitment)).toMatchObject({ pharmacy: wallet(PHARMACY_A).account.address, amount: 1, remaining: 1 })

    // Both send "dispense the last unit" before a block is mined.
    await local.clock.automine(false)
    let hashes: Hex[]
    try {
      const last = { ...dispenseRequest(prescriptions(), commitment, 1), gas: 200_000n }
      hashes = [await wallet(PHARMACY_A).writeContract(last), await wallet(PHARMACY_B).writeContract(last)]
      await local.clock.mineBlock()
    } finally {
      await local.clock.automine(true)
    }
    const receipts = await Promise.all(hashes.map(mined))
    expect(receipts[0]?.blockNumber).toBe(receipts[1]?.blockNumber)
    expect(receipts.filter((r) => r.status === 'success')).toHaveLength(1)
    const loser = receipts.find((r) => r.status === 'reverted')
    if (!loser) throw new Error('no loser')
    const why = await whyPrescriptionTransactionReverted(local.publicClient, prescriptions(), loser)
    expect(why).toBeInstanceOf(DispenseExceedsRemainingError)
    expect(why?.userMessage).toBe('Nothing remains on this prescription: it has been fully dispensed.')

    // A third attempt is refused up front; nothing was lost or doubled.
    expect(await refusal(local.publicClient.simulateContract({ ...dispenseRequest(prescriptions(), commitment, 1), account: wallet(PHARMACY_B).account }), toPrescriptionChainError)).toBeInstanceOf(DispenseExceedsRemainingError)
    expect(await readPrescription(local.publicClient, prescriptions(), commitment)).toMatchObject({ state: 'dispensed', total: 2, remaining: 0 })

    // The patient's history: prescribed, and both dispensings with where and when.
    const history = await readPrescriptionHistory(local.publicClient, prescriptions(), commitment)
    expect(history.prescribed).toMatchObject({ prescriber: wallet(DOCTOR).account.address, total: 2, expiry: verified.expiry })
    expect(history.dispensings.map((d) => [d.amount, d.remaining])).toEqual([
      [1, 1],
      [1, 0],
    ])
    expect(history.dispensings[0]?.pharmacy).toBe(wallet(PHARMACY_A).account.address)
    for (const d of history.dispensings) expect(d.at).toBe(Number((await local.publicClient.getBlock({ blockNumber: d.blockNumber })).timestamp))
    expect(history.cancelled).toBeUndefined()
  })

  it('decode an unverified pharmacy or prescriber, an unknown and a cancelled prescription', async () => {
    await register(DOCTOR, ['clinician', 'prescriber'], 'Dr. Ada Lovelace')
    await register(PHARMACY_A, ['pharmacy'], 'Pharmacy A')
    const commitment = toHex(crypto.getRandomValues(new Uint8Array(32)))
    const expiry = (await now()) + 86_400
    const unverifiedPrescriber = await refusal(local.publicClient.simulateContract({ ...prescribeRequest(prescriptions(), commitment, { total: 1, expiry }), account: wallet(PHARMACY_A).account }), toPrescriptionChainError)
    expect(unverifiedPrescriber).toBeInstanceOf(PrescriberNotVerifiedError)
    expect((unverifiedPrescriber as PrescriberNotVerifiedError).userMessage).toBe('This account holds no prescriber credential, so it cannot write prescriptions.')
    expect(await refusal(local.publicClient.simulateContract({ ...dispenseRequest(prescriptions(), commitment, 1), account: wallet(PHARMACY_A).account }), toPrescriptionChainError)).toBeInstanceOf(PrescriptionNotFoundError)

    await mined(await wallet(DOCTOR).writeContract(prescribeRequest(prescriptions(), commitment, { total: 3, expiry })))
    const unverifiedPharmacy = await refusal(local.publicClient.simulateContract({ ...dispenseRequest(prescriptions(), commitment, 1), account: wallet(NOBODY).account }), toPrescriptionChainError)
    expect(unverifiedPharmacy).toBeInstanceOf(PharmacyNotVerifiedError)
    await mined(await wallet(ISSUER).writeContract(revokeCredentialRequest(credentials(), wallet(PHARMACY_A).account.address)))
    const revoked = await refusal(local.publicClient.simulateContract({ ...dispenseRequest(prescriptions(), commitment, 1), account: wallet(PHARMACY_A).account }), toPrescriptionChainError)
    expect(revoked).toBeInstanceOf(PharmacyNotVerifiedError)
    expect((revoked as PharmacyNotVerifiedError).status).toBe('revoked')

    await register(PHARMACY_A, ['pharmacy'], 'Pharmacy A')
    await mined(await wallet(DOCTOR).writeContract(cancelPrescriptionRequest(prescriptions(), commitment)))
    expect(await refusal(local.publicClient.simulateContract({ ...dispenseRequest(prescriptions(), commitment, 1), account: wallet(PHARMACY_A).account }), toPrescriptionChainError)).toBeInstanceOf(PrescriptionCancelledError)
    expect(await readPrescription(local.publicClient, prescriptions(), commitment)).toMatchObject({ state: 'cancelled', remaining: 3 })
    expect((await readPrescriptionHistory(local.publicClient, prescriptions(), commitment)).cancelled).toBeDefined()
  })
})
