import type { Bundle, Consent } from '@medplum/fhirtypes'
import { describe, expect, it } from 'vitest'
import { commitmentIn } from '../../chain/consentRegistry.ts'
import {
  addressGrantee,
  bearerGrantee,
  CAREKEY_GRANT_SYSTEM,
  CAREKEY_RECORD_ID_SYSTEM,
  NO_SHARED_DATA,
  scopeHash,
  sharedDataHash,
} from '../../domain/consent/index.ts'
import { utf8 } from '../../domain/crypto/bytes.ts'
import { decryptShareFile, decryptShareGrant, inspectShareFile } from '../../domain/shl/index.ts'
import type { GrantChoices } from './grantForm.ts'
import { prepareGrant, type ShareRecord } from './prepareGrant.ts'

const registry = { chainId: 31337, address: '0x5FbDB2315678afecb367f032d93F642f64180aa3', fromBlock: 1n } as const
const patient = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
const clinician = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const now = new Date('2026-11-26T10:00:00Z')
const records: ShareRecord[] = [
  { id: '5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b', resource: { resourceType: 'AllergyIntolerance', patient: { display: 'Me' }, code: { text: 'Peanut' } } },
  { id: 'picked-1', resource: { resourceType: 'MedicationStatement', status: 'active', subject: {}, medicationCodeableConcept: { text: 'Aspirin' } } },
]
const choices: GrantChoices = {
  patient,
  grantee: { kind: 'address', address: clinician },
  granteeName: 'Dr. Lee',
  scope: { categories: ['allergies', 'medications'], recordIds: [], actions: ['access'] },
  purpose: 'TREAT',
  validUntil: new Date('2026-11-27T10:00:00Z'),
  share: undefined,
}
let ids = 0
const prepare = (overrides: Partial<GrantChoices> = {}, read = async () => records) =>
  prepareGrant({ choices: { ...choices, ...overrides }, registry, hostUrl: 'http://localhost:8787', now, readRecords: read, grantKeyIndex: 3, newId: () => `id-${++ids}` })

describe('preparing a grant', () => {
  it('without a share: terms for the clinician with no shared data, and the FHIR Consent naming the commitment', async () => {
    const { consent, share } = await prepare({}, () => Promise.reject(new Error('records are not read without a share')))
    expect(share).toBeUndefined()
    expect(consent.state).toBe('signing')
    // The per-grant key's index is kept with the grant; who sends it is decided later.
    expect(consent).toMatchObject({ grantKeyIndex: 3, sentBy: undefined })
    expect(consent.terms).toMatchObject({ patient, grantee: addressGrantee(clinician), dataHash: NO_SHARED_DATA, scopeHash: scopeHash(choices.scope) })
    expect(consent.terms.validUntil).toBe(BigInt(Date.parse('2026-11-27T10:00:00Z') / 1000))
    expect(consent.commitment).toBe(commitmentIn(registry, consent.terms))
    expect(consent.resource.status).toBe('proposed')
    expect(consent.resource.identifier).toEqual([{ system: CAREKEY_GRANT_SYSTEM, value: consent.commitment }])
    expect(consent.resource.provision?.actor?.[0]?.reference?.display).toBe('Dr. Lee')
  })

  it('with a share: the encrypted Bundle holds the Consent then the records, and the grant commits to its exact bytes', async () => {
    const { consent, share } = await prepare({ share: { passcode: '2468', label: 'For Dr. Lee' } })
    if (!share?.jwe) throw new Error('no share')
    expect(share).toMatchObject({ consentId: consent.id, passcode: '2468', label: 'For Dr. Lee', flags: ['L', 'P'], recordCount: 2, state: 'prepared' })
    expect(share.hostShareId).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(consent.shareId).toBe(share.id)
    expect(inspectShareFile(share.jwe)).toMatchObject({ alg: 'dir', enc: 'A256GCM', zip: 'DEF', cty: 'application/fhir+json' })

    const { plaintext } = await decryptShareFile(share.jwe, share.key)
    expect(consent.terms.dataHash).toBe(await sharedDataHash(plaintext))
    const bundle = JSON.parse(utf8.decode(plaintext)) as Bundle
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'collection', timestamp: now.toISOString() })
    const [first, ...rest] = bundle.entry ?? []
    const shared = first?.resource as Consent
    expect(shared.resourceType).toBe('Consent')
    expect(shared.status).toBe('active')
    // The commitment depends on these very bytes, so the shared Consent cannot name it.
    expect(shared.identifier).toBeUndefined()
    const { identifier: _id, status: _status, ...stored } = consent.resource
    const { status: _sharedStatus, ...sharedRest } = shared
    expect(sharedRest).toEqual(stored)
    expect(rest.map((e) => e.resource)).toEqual(records.map((r) => r.resource))
    expect(rest.map((e) => e.fullUrl)).toEqual(['urn:uuid:5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b', undefined])

    // The grant, for the host to keep beside the share, under the same key.
    if (!share.grant) throw new Error('no grant')
    expect(await decryptShareGrant(share.grant, share.key)).toEqual({ chainId: 31337, registry: registry.address, terms: consent.terms, label: 'For Dr. Lee' })
  })

  it('for "whoever I show this QR to": a fresh bearer secret whose hash is the grantee', async () => {
    const a = await prepare({ grantee: { kind: 'bearer' }, share: { passcode: undefined, label: 'x' } })
    const b = await prepare({ grantee: { kind: 'bearer' }, share: { passcode: undefined, label: 'x' } })
    if (a.consent.grantee.kind !== 'bearer' || b.consent.grantee.kind !== 'bearer') throw new Error('not bearer')
    expect(a.consent.terms.grantee).toBe(bearerGrantee(a.consent.grantee.secret))
    expect(a.consent.grantee.secret).not.toBe(b.consent.grantee.secret)
    expect(a.consent.terms.salt).not.toBe(b.consent.terms.salt)
    expect(a.share?.flags).toEqual(['L'])
    expect(a.share?.key).not.toBe(b.share?.key)
    // The secret travels in the grant beside the share, never in the link.
    if (!a.share?.grant) throw new Error('no grant')
    expect((await decryptShareGrant(a.share.grant, a.share.key)).bearerSecret).toBe(a.consent.grantee.secret)
  })

  it('names hand-picked records by their CareKey id in the Consent', async () => {
    const { consent } = await prepare({ scope: { categories: [], recordIds: ['picked-1'], actions: ['access'] } })
    expect(consent.resource.provision?.data).toEqual([{ meaning: 'instance', reference: { identifier: { system: CAREKEY_RECORD_ID_SYSTEM, value: 'picked-1' } } }])
  })
})
