import type { AllergyIntolerance, Bundle, MedicationStatement, Observation, Resource } from '@medplum/fhirtypes'
import { describe, expect, it } from 'vitest'
import { buildConsentResource, createGrantTerms, NO_SHARED_DATA, sharedDataHash, type ConsentScope } from '../consent/index.ts'
import { checkSharedBundle as checkFile } from './sharedBundle.ts'

/** The share file as the viewer has it once decrypted: its bytes and their JSON. */
const checkSharedBundle = (plaintext: Uint8Array, terms: Parameters<typeof checkFile>[1]) =>
  checkFile({ plaintext, content: JSON.parse(new TextDecoder().decode(plaintext)) as unknown }, terms)

const location = { chainId: 31337, registry: '0x5FbDB2315678afecb367f032d93F642f64180aa3' } as const
const now = new Date('2026-11-26T10:00:00Z')
const allergy: AllergyIntolerance = { resourceType: 'AllergyIntolerance', patient: { display: 'Patient' }, code: { text: 'Peanut' } }
const medication: MedicationStatement = { resourceType: 'MedicationStatement', status: 'active', subject: {}, medicationCodeableConcept: { text: 'Metformin' } }
const lab: Observation = {
  resourceType: 'Observation',
  status: 'final',
  code: { text: 'HbA1c' },
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
}

/** A share as the patient's app makes it: the records plus the Consent, and terms committing to its bytes. */
async function share(records: Resource[], scope: ConsentScope, commit = true) {
  const draft = {
    patient: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
    grantee: { kind: 'address', address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' },
    scope,
    purpose: 'TREAT',
    validUntil: new Date('2026-11-27T10:00:00Z'),
  } as const
  const withoutData = createGrantTerms(draft, { now })
  const consent = buildConsentResource({ terms: withoutData, scope, location, dateTime: now })
  const bundle: Bundle = { resourceType: 'Bundle', type: 'collection', entry: [...records, consent].map((resource) => ({ resource })) }
  const bytes = new TextEncoder().encode(JSON.stringify(bundle))
  const terms = { ...withoutData, dataHash: commit ? await sharedDataHash(bytes) : NO_SHARED_DATA }
  return { bytes, terms }
}

const allergiesAndMedications: ConsentScope = { categories: ['allergies', 'medications'], recordIds: [], actions: ['access'] }

describe('checkSharedBundle', () => {
  it('accepts a share whose bytes and scope are what the grant committed to', async () => {
    const { bytes, terms } = await share([allergy, medication], allergiesAndMedications)
    const check = await checkSharedBundle(bytes, terms)
    expect(check.data).toBe('match')
    expect(check.scope).toBe('match')
    expect(check.resources.map((r) => r.resourceType)).toEqual(['AllergyIntolerance', 'MedicationStatement'])
    expect(check.consent?.resourceType).toBe('Consent')
    expect(check.outOfScope).toEqual([])
  })

  it('reports changed bytes as a data mismatch', async () => {
    const { bytes, terms } = await share([allergy], allergiesAndMedications)
    const changed = new TextEncoder().encode(new TextDecoder().decode(bytes).replace('Peanut', 'Pollen'))
    expect((await checkSharedBundle(changed, terms)).data).toBe('mismatch')
  })

  it('lists records outside the consented categories', async () => {
    const { bytes, terms } = await share([allergy, lab], allergiesAndMedications)
    const check = await checkSharedBundle(bytes, terms)
    expect(check.outOfScope.map((r) => r.resourceType)).toEqual(['Observation'])
  })

  it('checks hand-picked records by the record id in their entry', async () => {
    const scope: ConsentScope = { categories: [], recordIds: ['rec-1'], actions: ['access'] }
    const terms = createGrantTerms(
      {
        patient: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
        grantee: { kind: 'address', address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' },
        scope,
        purpose: 'TREAT',
        validUntil: new Date('2026-11-27T10:00:00Z'),
      },
      { now },
    )
    const { identifier: _c, ...consent } = buildConsentResource({ terms, scope, location, dateTime: now })
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ resource: consent }, { fullUrl: 'urn:uuid:rec-1', resource: lab }, { fullUrl: 'urn:uuid:rec-2', resource: allergy }],
    }
    const check = await checkSharedBundle(new TextEncoder().encode(JSON.stringify(bundle)), terms)
    expect(check.scope).toBe('match')
    expect(check.outOfScope.map((r) => r.resourceType)).toEqual(['AllergyIntolerance'])
  })

  it('says when the grant commits to no data, and when there is no grant at all', async () => {
    const { bytes, terms } = await share([allergy], allergiesAndMedications, false)
    expect((await checkSharedBundle(bytes, terms)).data).toBe('not-committed')
    const check = await checkSharedBundle(bytes, undefined)
    expect(check.data).toBe('not-committed')
    expect(check.scope).toBe('unverified')
  })

  it('refuses a file that is not FHIR with the parser’s message', async () => {
    await expect(checkSharedBundle(new TextEncoder().encode('{"hello":1}'), undefined)).rejects.toThrow(/resourceType/)
  })
})
