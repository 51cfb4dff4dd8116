import { describe, expect, it } from 'vitest'
import { zeroHash } from 'viem'
import { buildConsentResource } from './fhirConsent.ts'
import { scopeOfConsentResource } from './readConsent.ts'
import { scopeHash, type ConsentScope } from './scope.ts'
import { createGrantTerms } from './terms.ts'

const patient = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
const location = { chainId: 31337, registry: '0x5FbDB2315678afecb367f032d93F642f64180aa3' } as const

function consentFor(scope: ConsentScope) {
  const now = new Date('2026-11-26T10:00:00Z')
  const terms = createGrantTerms(
    {
      patient,
      grantee: { kind: 'address', address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' },
      scope,
      purpose: 'TREAT',
      validUntil: new Date('2026-11-27T10:00:00Z'),
      dataHash: zeroHash,
    },
    { now },
  )
  return { terms, consent: buildConsentResource({ terms, scope, location, dateTime: now }) }
}

describe('scopeOfConsentResource', () => {
  it('reads back categories, records and actions, so the scope hash can be checked', () => {
    for (const scope of [
      { categories: ['medications', 'allergies'], recordIds: [], actions: ['access'] },
      { categories: [], recordIds: ['rec-2', 'rec-1'], actions: ['access', 'use'] },
      { categories: ['labs'], recordIds: ['rec-9'], actions: ['access'] },
    ] satisfies ConsentScope[]) {
      const { terms, consent } = consentFor(scope)
      const read = scopeOfConsentResource(consent)
      expect(read).toBeDefined()
      expect(read && scopeHash(read)).toBe(terms.scopeHash)
    }
  })

  it('gives undefined for a Consent that does not describe a CareKey scope', () => {
    expect(scopeOfConsentResource({ resourceType: 'Consent', status: 'active', scope: {}, category: [] })).toBeUndefined()
    const { consent } = consentFor({ categories: ['labs'], recordIds: [], actions: ['access'] })
    const damaged = structuredClone(consent)
    if (damaged.provision?.code?.[0]?.coding?.[0]) damaged.provision.code[0].coding[0].code = 'not-a-category'
    expect(scopeOfConsentResource(damaged)).toBeUndefined()
  })
})
