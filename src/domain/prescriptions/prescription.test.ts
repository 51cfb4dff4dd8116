import { describe, expect, it } from 'vitest'
import { toHex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { canonicalJson } from './canonicalJson.ts'
import { COMMON_DRUGS, findCommonDrug } from './drugs.ts'
import {
  buildMedicationRequest,
  InvalidPrescriptionError,
  medicationRequestHash,
  parseSignedPrescription,
  prescriptionChainTerms,
  prescriptionCommitment,
  PrescriptionForAnotherNetworkError,
  PrescriptionSignatureError,
  signPrescription,
  verifyPrescription,
  type PrescriptionDetails,
  type SignedPrescription,
} from './prescription.ts'

const doctor = privateKeyToAccount(generatePrivateKey())
const location = { chainId: 31337, registry: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0' } as const
const NOW = 1_780_000_000
const DAY = 86_400
const salt = toHex(new Uint8Array(32).fill(7))

const details: PrescriptionDetails = {
  id: '6f1c1c9e-3c1b-4c55-9d0e-6a3e8f9b2a10',
  medication: { rxnorm: '314076' },
  dosage: '1 tablet once a day',
  quantity: { value: 30, unit: 'tablet' },
  refills: 2,
  authoredOn: NOW,
  validUntil: NOW + 90 * DAY,
  prescriber: { address: doctor.address, name: 'Dr. Ada Lovelace' },
  patient: { name: 'Alex Example' },
}

const signed = () => signPrescription(doctor, buildMedicationRequest(details, 31337), location)
const roundTrip = (s: SignedPrescription): unknown => JSON.parse(JSON.stringify(s))

describe('the MedicationRequest of a prescription', () => {
  it('is FHIR R4 with the RxNorm coding, dosage, quantity, refills, validity and the prescriber by address', () => {
    const request = buildMedicationRequest(details, 31337)
    expect(request).toEqual({
      resourceType: 'MedicationRequest',
      id: details.id,
      status: 'active',
      intent: 'order',
      medicationCodeableConcept: {
        coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '314076', display: 'Lisinopril 10 MG Oral Tablet' }],
        text: 'Lisinopril 10 MG Oral Tablet',
      },
      subject: { display: 'Alex Example' },
      authoredOn: '2026-05-28T20:26:40Z',
      requester: { identifier: { system: 'urn:ietf:rfc:3986', value: `did:pkh:eip155:31337:${doctor.address}` }, display: 'Dr. Ada Lovelace' },
      dosageInstruction: [{ text: '1 tablet once a day' }],
      dispenseRequest: {
        validityPeriod: { start: '2026-05-28T20:26:40Z', end: '2026-08-26T20:26:40Z' },
        numberOfRepeatsAllowed: 2,
        quantity: { value: 30, unit: 'tablet' },
      },
    })
  })

  it('takes a drug outside the list as free text, without a coding', () => {
    const request = buildMedicationRequest({ ...details, medication: { text: ' Hydroxyzine 25 mg tablet ' } }, 31337)
    expect(request.medicationCodeableConcept).toEqual({ text: 'Hydroxyzine 25 mg tablet' })
  })

  it('refuses an RxNorm code outside the list, a fractional or zero quantity, negative refills, an ended validity, an empty dosage', () => {
    expect(() => buildMedicationRequest({ ...details, medication: { rxnorm: '999999999' } }, 31337)).toThrow(/not in the list of common drugs; write it as free text/)
    expect(() => buildMedicationRequest({ ...details, quantity: { value: 2.5, unit: 'tablet' } }, 31337)).toThrow(/whole number of at least 1/)
    expect(() => buildMedicationRequest({ ...details, quantity: { value: 0, unit: 'tablet' } }, 31337)).toThrow(/whole number of at least 1/)
    expect(() => buildMedicationRequest({ ...details, refills: -1 }, 31337)).toThrow(/refills/)
    expect(() => buildMedicationRequest({ ...details, validUntil: NOW }, 31337)).toThrow(/stay valid/)
    expect(() => buildMedicationRequest({ ...details, dosage: '  ' }, 31337)).toThrow(/dosage is empty/)
    expect(() => buildMedicationRequest({ ...details, quantity: { value: 2 ** 23, unit: 'mL' }, refills: 1 }, 31337)).toThrow(/too large/)
  })

  it('puts on chain the total over every refill and the end of validity', () => {
    expect(prescriptionChainTerms(buildMedicationRequest(details, 31337))).toEqual({ total: 90, expiry: NOW + 90 * DAY })
    expect(prescriptionChainTerms(buildMedicationRequest({ ...details, refills: 0 }, 31337))).toEqual({ total: 30, expiry: NOW + 90 * DAY })
  })
})

describe('signed prescriptions', () => {
  it('verify after a round trip through JSON, with the chain terms and the medication', async () => {
    const s = await signed()
    const verified = await verifyPrescription(parseSignedPrescription(roundTrip(s)), location)
    expect(verified).toEqual({
      requestHash: medicationRequestHash(s.request),
      prescriber: doctor.address,
      medication: 'Lisinopril 10 MG Oral Tablet',
      total: 90,
      expiry: NOW + 90 * DAY,
    })
  })

  it('refuse a request changed after signing: the drug, the quantity, the refills, the patient, the validity', async () => {
    const s = await signed()
    const r = s.request
    const changed = [
      { ...r, medicationCodeableConcept: { text: 'Oxycodone 80 mg' } },
      { ...r, dispenseRequest: { ...r.dispenseRequest, quantity: { value: 300, unit: 'tablet' } } },
      { ...r, dispenseRequest: { ...r.dispenseRequest, numberOfRepeatsAllowed: 9 } },
      { ...r, dispenseRequest: { ...r.dispenseRequest, validityPeriod: { end: '2030-01-01T00:00:00Z' } } },
      { ...r, subject: { display: 'Someone Else' } },
    ]
    for (const request of changed) {
      await expect(verifyPrescription(parseSignedPrescription(roundTrip({ ...s, request })), location)).rejects.toBeInstanceOf(PrescriptionSignatureError)
    }
  })

  it('refuse a signature by anyone but the prescriber the request names', async () => {
    const other = privateKeyToAccount(generatePrivateKey())
    await expect(signPrescription(other, buildMedicationRequest(details, 31337), location)).rejects.toThrow(/another prescriber than the one signing it/)
    const forged = await signPrescription(other, buildMedicationRequest({ ...details, prescriber: { address: other.address, name: 'Dr. Ada Lovelace' } }, 31337), location)
    const s = await signed()
    // The forger's own signature pasted onto the doctor's prescription.
    await expect(verifyPrescription({ ...s, signature: forged.signature }, location)).rejects.toBeInstanceOf(PrescriptionSignatureError)
    // Or the doctor's request claimed under the forger's name.
    await expect(verifyPrescription({ ...s, prescriber: other.address }, location)).rejects.toBeInstanceOf(PrescriptionSignatureError)
  })

  it('refuse a prescription for another chain or registry', async () => {
    const s = await signed()
    await expect(verifyPrescription(s, { ...location, chainId: 84532 })).rejects.toBeInstanceOf(PrescriptionForAnotherNetworkError)
    await expect(verifyPrescription(s, { ...location, registry: '0x5FbDB2315678afecb367f032d93F642f64180aa3' })).rejects.toBeInstanceOf(PrescriptionForAnotherNetworkError)
    // Relabelled for this chain, the signature no longer matches.
    const elsewhere = await signPrescription(doctor, buildMedicationRequest(details, 31337), { ...location, registry: '0x5FbDB2315678afecb367f032d93F642f64180aa3' })
    await expect(verifyPrescription({ ...elsewhere, registry: location.registry }, location)).rejects.toBeInstanceOf(PrescriptionSignatureError)
  })

  it('parse at the boundary and name the field that is wrong', async () => {
    const s = roundTrip(await signed()) as Record<string, unknown>
    expect(() => parseSignedPrescription({ ...s, signature: '0x12' })).toThrow(/signature must be a 65-byte signature/)
    expect(() => parseSignedPrescription({ ...s, prescriber: 'dr-who' })).toThrow(/prescriber must be an address/)
    expect(() => parseSignedPrescription({ ...s, request: { resourceType: 'Patient' } })).toThrow(/request must be a MedicationRequest/)
    expect(() => parseSignedPrescription(null)).toThrow(InvalidPrescriptionError)
  })
})

describe('the commitment on chain', () => {
  it('depends on the request, the signature and the salt; and hides them', async () => {
    const s = await signed()
    const commitment = prescriptionCommitment(s, salt)
    expect(commitment).toMatch(/^0x[0-9a-f]{64}$/)
    expect(prescriptionCommitment(parseSignedPrescription(roundTrip(s)), salt)).toBe(commitment)
    expect(prescriptionCommitment(s, toHex(new Uint8Array(32).fill(8)))).not.toBe(commitment)
    const again = await signPrescription(doctor, buildMedicationRequest({ ...details, refills: 3 }, 31337), location)
    expect(prescriptionCommitment(again, salt)).not.toBe(commitment)
    expect(commitment).not.toBe(medicationRequestHash(s.request))
    expect(() => prescriptionCommitment(s, '0x1234')).toThrow(/salt is not 32 bytes/)
  })
})

describe('canonical JSON', () => {
  it('sorts keys at every depth, drops undefined, keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: 'x', e: undefined } })).toBe('{"a":{"c":"x","d":[3,1]},"b":1}')
    expect(canonicalJson({ b: 1, a: 2 })).toBe(canonicalJson({ a: 2, b: 1 }))
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(RangeError)
  })
})

describe('the bundled drug list', () => {
  it('holds about 30 drugs, each RxNorm code once, with a display name and a unit', () => {
    expect(COMMON_DRUGS.length).toBeGreaterThanOrEqual(30)
    expect(new Set(COMMON_DRUGS.map((d) => d.code)).size).toBe(COMMON_DRUGS.length)
    for (const d of COMMON_DRUGS) {
      expect(d.code).toMatch(/^\d{4,8}$/)
      expect(d.display.length).toBeGreaterThan(5)
      expect(d.unit.length).toBeGreaterThan(2)
    }
    expect(findCommonDrug('308460')?.display).toBe('Azithromycin 250 MG Oral Tablet')
    expect(findCommonDrug('0')).toBeUndefined()
  })
})
