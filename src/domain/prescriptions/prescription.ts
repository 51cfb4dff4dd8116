import type { MedicationRequest } from '@medplum/fhirtypes'
import {
  encodeAbiParameters,
  getAddress,
  isAddress,
  isAddressEqual,
  isHex,
  keccak256,
  recoverTypedDataAddress,
  stringToBytes,
  type Address,
  type Hex,
  type LocalAccount,
} from 'viem'
import { z } from 'zod'
import { didPkh, parseDidPkh } from '../credentials/credentialDocument.ts'
import { CareKeyError } from '../errors.ts'
import { canonicalJson } from './canonicalJson.ts'
import { findCommonDrug, RXNORM_SYSTEM } from './drugs.ts'

/**
 * E-prescriptions: a FHIR R4 MedicationRequest that the prescriber signs (EIP-712 over its
 * hash), handed to the patient, and the commitment that the PrescriptionRegistry records. The
 * chain sees only the commitment, the prescriber, the total quantity and the expiry.
 *
 * The path: `buildMedicationRequest` → `signPrescription` (prescriber's key) →
 * `prescriptionCommitment(signed, salt)` and `prescriptionChainTerms(request)` for
 * `PrescriptionRegistry.prescribe` → the patient keeps `{ signed, salt }` → a pharmacy parses
 * it (`parseSignedPrescription`), checks it (`verifyPrescription`), recomputes the commitment
 * and reads what remains on chain.
 */

/** Where prescriptions are recorded: the chain and its PrescriptionRegistry. */
export type PrescriptionRegistryLocation = { chainId: number; registry: Address }

export const PRESCRIPTION_DOMAIN_NAME = 'CareKey Prescription'
export const PRESCRIPTION_DOMAIN_VERSION = '1'

/** EIP-712 types the prescriber signs: `Prescription(bytes32 requestHash)`. */
export const PRESCRIPTION_EIP712_TYPES = { Prescription: [{ name: 'requestHash', type: 'bytes32' }] } as const

/** The largest quantity the registry holds (uint24). */
export const MAX_PRESCRIPTION_UNITS = 2 ** 24 - 1
/** The largest unix time the registry holds (uint32: early 2106). */
const MAX_CHAIN_TIME = 2 ** 32 - 1

export type PrescriptionDetails = {
  /** The MedicationRequest's id (a UUID). */
  id: string
  /** A drug from the bundled list by RxNorm code, or free text for any other. */
  medication: { rxnorm: string } | { text: string }
  /** How to take it, in words ("1 tablet twice a day with food"). */
  dosage: string
  /** How much one dispense gives: a whole number of units ("30 tablet"). */
  quantity: { value: number; unit: string }
  /** How many times it may be dispensed again after the first (0: once). */
  refills: number
  /** Unix seconds. */
  authoredOn: number
  /** Unix seconds: nothing is dispensed from this second on. */
  validUntil: number
  prescriber: { address: Address; name: string }
  patient: { name: string }
}

/** A MedicationRequest and its prescriber's EIP-712 signature, for the chain and registry it names. */
export type SignedPrescription = {
  request: MedicationRequest
  prescriber: Address
  chainId: number
  registry: Address
  signature: Hex
}

/** A prescription that is malformed, or cannot be recorded as it is. */
export class InvalidPrescriptionError extends CareKeyError {
  constructor(problem: string, options?: ErrorOptions) {
    super(`This prescription is not valid: ${problem}.`, 'Ask the prescriber to write it again.', options)
  }
}

/** The request does not match its signature: changed after signing, or signed by another key. */
export class PrescriptionSignatureError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super(
      'This prescription was changed after it was signed, or was not signed by the prescriber it names.',
      'Do not dispense it. Ask the patient for the prescription as the prescriber sent it.',
      options,
    )
  }
}

/** A prescription for another chain or registry than the app uses. */
export class PrescriptionForAnotherNetworkError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super('This prescription was written for another network than CareKey uses here.', 'It cannot be dispensed here. Ask the prescriber for one on this network.', options)
  }
}

const fhirDateTime = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z')

/**
 * The FHIR R4 MedicationRequest of a prescription. The prescriber is identified by their
 * address (a did:pkh on this chain), which is what their credential names.
 *
 * @example
 * const request = buildMedicationRequest({ id: crypto.randomUUID(), medication: { rxnorm: '314076' },
 *   dosage: '1 tablet once a day', quantity: { value: 30, unit: 'tablet' }, refills: 2,
 *   authoredOn: now, validUntil: now + 90 * 86_400, prescriber: { address, name: 'Dr. Ada Lovelace' },
 *   patient: { name: 'Alex Example' } }, 31337)
 */
export function buildMedicationRequest(details: PrescriptionDetails, chainId: number): MedicationRequest {
  const { quantity, refills } = details
  if (!Number.isInteger(quantity.value) || quantity.value < 1) throw new InvalidPrescriptionError('the quantity must be a whole number of at least 1')
  if (!Number.isInteger(refills) || refills < 0) throw new InvalidPrescriptionError('the number of refills must be a whole number, 0 or more')
  if (quantity.value * (refills + 1) > MAX_PRESCRIPTION_UNITS) throw new InvalidPrescriptionError('the total quantity is too large')
  if (!(details.validUntil > details.authoredOn) || details.validUntil > MAX_CHAIN_TIME) {
    throw new InvalidPrescriptionError('it must stay valid for some time after it is written')
  }
  if (details.dosage.trim() === '') throw new InvalidPrescriptionError('the dosage is empty')
  let medication: MedicationRequest['medicationCodeableConcept']
  if ('rxnorm' in details.medication) {
    const drug = findCommonDrug(details.medication.rxnorm)
    if (!drug) throw new InvalidPrescriptionError(`RxNorm code ${details.medication.rxnorm} is not in the list of common drugs; write it as free text`)
    medication = { coding: [{ system: RXNORM_SYSTEM, code: drug.code, display: drug.display }], text: drug.display }
  } else {
    if (details.medication.text.trim() === '') throw new InvalidPrescriptionError('the medication is empty')
    medication = { text: details.medication.text.trim() }
  }
  return {
    resourceType: 'MedicationRequest',
    id: details.id,
    status: 'active',
    intent: 'order',
    medicationCodeableConcept: medication,
    subject: { display: details.patient.name },
    authoredOn: fhirDateTime(details.authoredOn),
    requester: { identifier: { system: 'urn:ietf:rfc:3986', value: didPkh(chainId, details.prescriber.address) }, display: details.prescriber.name },
    dosageInstruction: [{ text: details.dosage.trim() }],
    dispenseRequest: {
      validityPeriod: { start: fhirDateTime(details.authoredOn), end: fhirDateTime(details.validUntil) },
      numberOfRepeatsAllowed: refills,
      quantity: { value: quantity.value, unit: quantity.unit },
    },
  }
}

/**
 * The hash the prescriber signs: keccak256 of the request's canonical JSON, so that any
 * encoding of the same request (key order, whitespace) has the same hash, and any change to it
 * another.
 *
 * @example
 * medicationRequestHash(request) // '0x…'
 */
export function medicationRequestHash(request: MedicationRequest): Hex {
  return keccak256(stringToBytes(canonicalJson(request)))
}

/**
 * The EIP-712 typed data the prescriber signs, bound to the chain and the PrescriptionRegistry.
 *
 * @example
 * await account.signTypedData(prescriptionTypedData(location, medicationRequestHash(request)))
 */
export function prescriptionTypedData(location: PrescriptionRegistryLocation, requestHash: Hex) {
  return {
    domain: { name: PRESCRIPTION_DOMAIN_NAME, version: PRESCRIPTION_DOMAIN_VERSION, chainId: location.chainId, verifyingContract: location.registry },
    types: PRESCRIPTION_EIP712_TYPES,
    primaryType: 'Prescription',
    message: { requestHash },
  } as const
}

/**
 * The prescriber signs the request. The signer must be the requester the request names.
 *
 * @example
 * const signed = await signPrescription(prescriberAccount, request, { chainId, registry })
 */
export async function signPrescription(
  signer: Pick<LocalAccount, 'address' | 'signTypedData'>,
  request: MedicationRequest,
  location: PrescriptionRegistryLocation,
): Promise<SignedPrescription> {
  const requester = requesterOf(request)
  if (!requester || requester.chainId !== location.chainId || !isAddressEqual(requester.address, signer.address)) {
    throw new InvalidPrescriptionError('it names another prescriber than the one signing it')
  }
  const signature = await signer.signTypedData(prescriptionTypedData(location, medicationRequestHash(request)))
  return { request, prescriber: getAddress(signer.address), chainId: location.chainId, registry: getAddress(location.registry), signature }
}

function requesterOf(request: MedicationRequest): { chainId: number; address: Address } | undefined {
  const value = request.requester?.identifier?.value
  return value === undefined ? undefined : parseDidPkh(value)
}

/** The registry's numbers of a prescription. */
export type PrescriptionChainTerms = {
  /** Every unit that may ever be dispensed: the quantity times (1 + refills). */
  total: number
  /** Unix seconds: the end of the request's validity period. */
  expiry: number
}

/**
 * What `PrescriptionRegistry.prescribe` records for this request besides its commitment: the
 * total in units (quantity × (1 + refills)) and the expiry (end of the validity period).
 *
 * @example
 * const { total, expiry } = prescriptionChainTerms(request) // 90, 1790000000
 */
export function prescriptionChainTerms(request: MedicationRequest): PrescriptionChainTerms {
  const dispense = request.dispenseRequest
  const quantity = dispense?.quantity?.value
  const refills = dispense?.numberOfRepeatsAllowed ?? 0
  const end = dispense?.validityPeriod?.end
  if (quantity === undefined || !Number.isInteger(quantity) || quantity < 1) throw new InvalidPrescriptionError('it has no whole quantity to dispense')
  if (!Number.isInteger(refills) || refills < 0) throw new InvalidPrescriptionError('its number of refills is not a whole number')
  const total = quantity * (refills + 1)
  if (total > MAX_PRESCRIPTION_UNITS) throw new InvalidPrescriptionError('its total quantity is too large')
  const ms = end === undefined ? Number.NaN : Date.parse(end)
  if (!Number.isFinite(ms)) throw new InvalidPrescriptionError('it has no end of validity')
  const expiry = Math.floor(ms / 1000)
  if (expiry <= 0 || expiry > MAX_CHAIN_TIME) throw new InvalidPrescriptionError('its end of validity is out of range')
  return { total, expiry }
}

/**
 * The commitment the PrescriptionRegistry records: keccak256 of the request's hash, the
 * prescriber's signature and a random 32-byte salt. Without the salt nobody can link the
 * commitment to a request, even one they can guess.
 *
 * @example
 * const salt = toHex(crypto.getRandomValues(new Uint8Array(32)))
 * const commitment = prescriptionCommitment(signed, salt)
 */
export function prescriptionCommitment(signed: SignedPrescription, salt: Hex): Hex {
  if (!isHex(salt) || salt.length !== 66) throw new InvalidPrescriptionError('its salt is not 32 bytes')
  return keccak256(
    encodeAbiParameters([{ type: 'bytes32' }, { type: 'bytes' }, { type: 'bytes32' }], [medicationRequestHash(signed.request), signed.signature, salt]),
  )
}

/** A checked prescription: its prescriber signed exactly this request for this registry. */
export type VerifiedPrescription = PrescriptionChainTerms & {
  requestHash: Hex
  prescriber: Address
  /** The medication as written (the RxNorm display, or the free text). */
  medication: string
}

/**
 * Checks a signed prescription for this chain and registry: the request names its prescriber,
 * and the signature recovers to that prescriber over the request's hash (any change to the
 * request fails). Whether the prescriber is licensed, and what remains, are read on chain.
 * Throws PrescriptionForAnotherNetworkError, PrescriptionSignatureError or InvalidPrescriptionError.
 *
 * @example
 * const verified = await verifyPrescription(parseSignedPrescription(json), { chainId, registry })
 */
export async function verifyPrescription(signed: SignedPrescription, location: PrescriptionRegistryLocation): Promise<VerifiedPrescription> {
  if (signed.chainId !== location.chainId || !isAddressEqual(signed.registry, location.registry)) throw new PrescriptionForAnotherNetworkError()
  const requester = requesterOf(signed.request)
  if (!requester) throw new InvalidPrescriptionError('it does not name its prescriber by address')
  if (requester.chainId !== location.chainId) throw new PrescriptionForAnotherNetworkError()
  if (!isAddressEqual(requester.address, signed.prescriber)) throw new PrescriptionSignatureError()
  const requestHash = medicationRequestHash(signed.request)
  let signer: Address
  try {
    signer = await recoverTypedDataAddress({ ...prescriptionTypedData(location, requestHash), signature: signed.signature })
  } catch (cause) {
    throw new PrescriptionSignatureError({ cause })
  }
  if (!isAddressEqual(signer, signed.prescriber)) throw new PrescriptionSignatureError()
  const medication = signed.request.medicationCodeableConcept?.text ?? signed.request.medicationCodeableConcept?.coding?.[0]?.display
  if (!medication) throw new InvalidPrescriptionError('it names no medication')
  return { ...prescriptionChainTerms(signed.request), requestHash, prescriber: getAddress(signed.prescriber), medication }
}

const medicationRequestSchema = z.looseObject({
  resourceType: z.literal('MedicationRequest'),
  status: z.string(),
  intent: z.string(),
  medicationCodeableConcept: z.looseObject({ text: z.string().optional(), coding: z.array(z.looseObject({ code: z.string().optional() })).optional() }),
  subject: z.looseObject({}),
  requester: z.looseObject({ identifier: z.looseObject({ value: z.string() }) }),
  dispenseRequest: z.looseObject({
    validityPeriod: z.looseObject({ end: z.string() }),
    quantity: z.looseObject({ value: z.number() }),
    numberOfRepeatsAllowed: z.int().min(0).optional(),
  }),
})

const address = z.string().refine((a) => isAddress(a, { strict: false }), 'must be an address').transform((a) => getAddress(a))

const signedSchema = z.object({
  request: z.custom<MedicationRequest>((v) => medicationRequestSchema.safeParse(v).success, 'must be a MedicationRequest with a medication, a requester and a dispense request'),
  prescriber: address,
  chainId: z.int().positive(),
  registry: address,
  signature: z.custom<Hex>((v) => typeof v === 'string' && isHex(v) && v.length === 132, 'must be a 65-byte signature'),
})

/**
 * Parses a signed prescription from outside (a link, a QR, storage), naming the field that is
 * wrong. `verifyPrescription` then checks the signature.
 *
 * @example
 * const signed = parseSignedPrescription(JSON.parse(text))
 */
export function parseSignedPrescription(json: unknown): SignedPrescription {
  const parsed = signedSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new InvalidPrescriptionError(`${issue?.path.join('.') || 'the prescription'} ${issue?.message ?? 'is malformed'}`)
  }
  return parsed.data
}
