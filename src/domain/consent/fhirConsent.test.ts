import { describe, expect, it } from 'vitest'
import { CAREKEY_BEARER_GRANTEE_SYSTEM, CAREKEY_RECORD_ID_SYSTEM, buildConsentResource } from './fhirConsent.ts'
import { grantCommitment } from './commitment.ts'
import { ScopeMismatchError } from './errors.ts'
import { bearerGrantee, newBearerSecret } from './grantee.ts'
import type { ConsentScope } from './scope.ts'
import { createGrantTerms, type GrantDraft } from './terms.ts'

const patient = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
const clinician = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const location = { chainId: 31337, registry: '0x5FbDB2315678afecb367f032d93F642f64180aa3' } as const
const now = new Date('2026-11-20T10:00:00Z')
const scope: ConsentScope = { categories: ['medications', 'allergies'], recordIds: [], actions: ['access'] }
const draft: GrantDraft = {
  patient,
  grantee: { kind: 'address', address: clinician },
  scope,
  purpose: 'TREAT',
  validFrom: now,
  validUntil: new Date('2026-11-21T10:00:00Z'),
}

describe('buildConsentResource', () => {
  it('writes a grant of allergies and medications to a clinician for treatment as a FHIR R4 privacy consent', () => {
    const terms = createGrantTerms(draft, { now })
    const consent = buildConsentResource({ terms, scope, location, dateTime: now })
    expect(consent).toEqual({
      resourceType: 'Consent',
      identifier: [{ system: 'urn:carekey:grant', value: grantCommitment(terms, location) }],
      status: 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy', display: 'Privacy Consent' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
      patient: { identifier: { system: 'urn:ietf:rfc:3986', value: `did:pkh:eip155:31337:${patient}` } },
      dateTime: '2026-11-20T10:00:00.000Z',
      performer: [{ identifier: { system: 'urn:ietf:rfc:3986', value: `did:pkh:eip155:31337:${patient}` } }],
      policy: [{ uri: `eip155:31337:${location.registry}` }],
      provision: {
        type: 'permit',
        period: { start: '2026-11-20T10:00:00.000Z', end: '2026-11-21T10:00:00.000Z' },
        actor: [
          {
            role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP', display: 'information recipient' }] },
            reference: { identifier: { system: 'urn:ietf:rfc:3986', value: `did:pkh:eip155:31337:${clinician}` } },
          },
        ],
        action: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentaction', code: 'access', display: 'Access' }] }],
        purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT', display: 'treatment' }],
        code: [
          { coding: [{ system: 'urn:carekey:record-category', code: 'allergies', display: 'Allergies' }], text: 'Allergies' },
          { coding: [{ system: 'urn:carekey:record-category', code: 'medications', display: 'Medications' }], text: 'Medications' },
        ],
      },
    })
  })

  it('names the patient only as the patient chose', () => {
    const terms = createGrantTerms(draft, { now })
    const chosen = { reference: 'Patient/p1', display: 'Alex' }
    const consent = buildConsentResource({ terms, scope, location, dateTime: now, patient: chosen })
    expect(consent.patient).toEqual(chosen)
  })

  it('names a bearer grantee by the hash of its secret, never the secret', () => {
    const secret = newBearerSecret()
    const terms = createGrantTerms({ ...draft, grantee: { kind: 'bearer', secret } }, { now })
    const consent = buildConsentResource({ terms, scope, location, dateTime: now })
    expect(consent.provision?.actor?.[0]?.reference).toEqual({
      identifier: { system: CAREKEY_BEARER_GRANTEE_SYSTEM, value: bearerGrantee(secret) },
      display: 'Whoever the patient shows the consent QR code to',
    })
    expect(JSON.stringify(consent)).not.toContain(secret.slice(2))
  })

  it('lists hand-picked records as data references', () => {
    const picked: ConsentScope = { categories: [], recordIds: ['rec-2', 'rec-1'], actions: ['access', 'use'] }
    const terms = createGrantTerms({ ...draft, scope: picked }, { now })
    const consent = buildConsentResource({ terms, scope: picked, location, dateTime: now })
    expect(consent.provision?.data).toEqual([
      { meaning: 'instance', reference: { identifier: { system: CAREKEY_RECORD_ID_SYSTEM, value: 'rec-1' } } },
      { meaning: 'instance', reference: { identifier: { system: CAREKEY_RECORD_ID_SYSTEM, value: 'rec-2' } } },
    ])
    expect(consent.provision?.code).toBeUndefined()
    const withRefs = buildConsentResource({ terms, scope: picked, location, dateTime: now, recordReference: (id) => ({ reference: `Observation/${id}` }) })
    expect(withRefs.provision?.data?.map((d) => d.reference.reference)).toEqual(['Observation/rec-1', 'Observation/rec-2'])
  })

  it('keeps categories and hand-picked records as two permits, since they add up', () => {
    const both: ConsentScope = { categories: ['labs'], recordIds: ['rec-1'], actions: ['access'] }
    const terms = createGrantTerms({ ...draft, scope: both }, { now })
    const provision = buildConsentResource({ terms, scope: both, location, dateTime: now }).provision
    expect(provision?.code).toBeUndefined()
    expect(provision?.data).toBeUndefined()
    expect(provision?.provision?.map((p) => [p.type, p.code?.[0]?.coding?.[0]?.code ?? p.data?.[0]?.reference.identifier?.value])).toEqual([
      ['permit', 'labs'],
      ['permit', 'rec-1'],
    ])
  })

  it('refuses a scope that is not the one the terms commit to', () => {
    const terms = createGrantTerms(draft, { now })
    expect(() => buildConsentResource({ terms, scope: { ...scope, categories: ['allergies'] }, location, dateTime: now })).toThrow(ScopeMismatchError)
  })

  it('carries the status it is given', () => {
    const terms = createGrantTerms(draft, { now })
    expect(buildConsentResource({ terms, scope, location, dateTime: now, status: 'inactive' }).status).toBe('inactive')
  })
})
