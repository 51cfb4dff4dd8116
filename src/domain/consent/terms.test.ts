import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { zeroHash } from 'viem'
import {
  GrantPeriodReversedError,
  GrantTooLongError,
  GrantTooShortError,
  GrantValidityEndedError,
  InvalidAddressError,
  InvalidGrantTermsError,
  UnknownPurposeError,
  EmptyScopeError,
} from './errors.ts'
import { addressGrantee, bearerGrantee, newBearerSecret } from './grantee.ts'
import { encodePurpose } from './purpose.ts'
import { scopeHash, type ConsentScope } from './scope.ts'
import {
  checkNewGrantTerms,
  createGrantTerms,
  GRANT_DURATIONS,
  GRANT_START_LEEWAY_SECONDS,
  grantTermsToJson,
  MAX_GRANT_DAYS,
  NO_SHARED_DATA,
  parseGrantTerms,
  type GrantDraft,
} from './terms.ts'

const patient = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
const clinician = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const now = new Date('2026-11-20T10:00:00Z')
const nowSeconds = BigInt(now.getTime() / 1000)
const hours = (n: number) => new Date(now.getTime() + n * 3_600_000)
const scope: ConsentScope = { categories: ['allergies', 'medications'], recordIds: [], actions: ['access'] }

const draft: GrantDraft = {
  patient,
  grantee: { kind: 'address', address: clinician },
  scope,
  purpose: 'TREAT',
  validUntil: hours(24),
}

describe('createGrantTerms', () => {
  it('turns the patient’s choices into the fields the contract commits to', () => {
    const terms = createGrantTerms(draft, { now })
    expect(terms).toEqual({
      patient,
      grantee: addressGrantee(clinician),
      scopeHash: scopeHash(scope),
      purpose: encodePurpose('TREAT'),
      validFrom: nowSeconds - BigInt(GRANT_START_LEEWAY_SECONDS),
      validUntil: nowSeconds + 86_400n,
      dataHash: NO_SHARED_DATA,
      salt: expect.stringMatching(/^0x[0-9a-f]{64}$/) as string,
    })
  })

  it('draws a fresh salt for every grant, so equal choices give unequal terms', () => {
    const salts = new Set(Array.from({ length: 20 }, () => createGrantTerms(draft, { now }).salt))
    expect(salts.size).toBe(20)
  })

  it('records a bearer grant by the hash of its secret only', () => {
    const secret = newBearerSecret()
    const terms = createGrantTerms({ ...draft, grantee: { kind: 'bearer', secret } }, { now })
    expect(terms.grantee).toBe(bearerGrantee(secret))
    expect(JSON.stringify(grantTermsToJson(terms))).not.toContain(secret.slice(2))
  })

  it('offers the durations of the grant screen, all within the allowed range', () => {
    for (const d of GRANT_DURATIONS) {
      expect(() => createGrantTerms({ ...draft, validUntil: new Date(now.getTime() + d.seconds * 1000) }, { now })).not.toThrow()
    }
  })

  it('refuses an end in the past, before the start, too soon or too far away', () => {
    expect(() => createGrantTerms({ ...draft, validUntil: hours(-1) }, { now })).toThrow(GrantValidityEndedError)
    expect(() => createGrantTerms({ ...draft, validUntil: now }, { now })).toThrow(GrantValidityEndedError)
    expect(() => createGrantTerms({ ...draft, validFrom: hours(3), validUntil: hours(2) }, { now })).toThrow(GrantPeriodReversedError)
    expect(() => createGrantTerms({ ...draft, validUntil: new Date(now.getTime() + 60_000) }, { now })).toThrow(GrantTooShortError)
    expect(() => createGrantTerms({ ...draft, validUntil: hours(24 * (MAX_GRANT_DAYS + 1)) }, { now })).toThrow(GrantTooLongError)
    expect(() => createGrantTerms({ ...draft, validUntil: new Date(Number.NaN) }, { now })).toThrow(InvalidGrantTermsError)
  })

  it('allows a grant that starts later (pending until then)', () => {
    const terms = createGrantTerms({ ...draft, validFrom: hours(2), validUntil: hours(5) }, { now })
    expect(terms.validFrom).toBe(nowSeconds + 7_200n)
  })

  it('refuses an unknown purpose, an empty scope and bad addresses', () => {
    expect(() => createGrantTerms({ ...draft, purpose: 'SELL' }, { now })).toThrow(UnknownPurposeError)
    expect(() => createGrantTerms({ ...draft, scope: { ...scope, categories: [] } }, { now })).toThrow(EmptyScopeError)
    expect(() => createGrantTerms({ ...draft, grantee: { kind: 'address', address: '0x1234' } }, { now })).toThrow(InvalidAddressError)
    expect(() => createGrantTerms({ ...draft, patient: '0xnope' }, { now })).toThrow(InvalidAddressError)
  })

  it('checks stored terms again before they are recorded', () => {
    const terms = createGrantTerms(draft, { now })
    expect(() => checkNewGrantTerms(terms, { now })).not.toThrow()
    expect(() => checkNewGrantTerms(terms, { now: hours(25) })).toThrow(GrantValidityEndedError)
    expect(() => checkNewGrantTerms({ ...terms, purpose: zeroHash }, { now })).toThrow(UnknownPurposeError)
  })
})

describe('parseGrantTerms', () => {
  it('round-trips terms through JSON', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 * 365 }), fc.constantFrom('TREAT', 'HRESCH', 'COC'), (h, purpose) => {
        const terms = createGrantTerms({ ...draft, purpose, validUntil: hours(h) }, { now })
        expect(parseGrantTerms(JSON.parse(JSON.stringify(grantTermsToJson(terms))))).toEqual(terms)
      }),
      { numRuns: 50 },
    )
  })

  it('accepts upper-case hex and gives it back lower-case', () => {
    const terms = createGrantTerms(draft, { now })
    const json = grantTermsToJson(terms)
    const upper = { ...json, salt: `0x${json.salt.slice(2).toUpperCase()}` }
    expect(parseGrantTerms(upper).salt).toBe(terms.salt)
  })

  it('names the field that is wrong', () => {
    const json = grantTermsToJson(createGrantTerms(draft, { now }))
    const problem = (value: unknown) => {
      try {
        parseGrantTerms(value)
        return 'accepted'
      } catch (error) {
        if (error instanceof Error) return `${error.constructor.name}: ${error.message}`
        throw error
      }
    }
    expect(problem({ ...json, salt: '0x12' })).toMatch(/InvalidGrantTermsError: .*salt/)
    expect(problem({ ...json, salt: zeroHash })).toMatch(/InvalidGrantTermsError: .*salt is empty/)
    expect(problem({ ...json, grantee: zeroHash })).toMatch(/grantee is empty/)
    expect(problem({ ...json, validUntil: '-1' })).toMatch(/validUntil/)
    expect(problem({ ...json, validUntil: '18446744073709551616' })).toMatch(/validUntil is too large/)
    expect(problem({ ...json, validFrom: json.validUntil })).toMatch(/GrantPeriodReversedError/)
    expect(problem({ ...json, purpose: encodePurpose('TREAT').replace('54', '55') })).toMatch(/UnknownPurposeError/)
    expect(problem({ ...json, patient: 'someone' })).toMatch(/InvalidAddressError/)
    expect(problem({ ...json, scopeHash: undefined })).toMatch(/scopeHash/)
    expect(problem('terms')).toMatch(/InvalidGrantTermsError/)
  })
})
