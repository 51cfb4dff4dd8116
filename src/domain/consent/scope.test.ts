import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { RECORD_CATEGORY_IDS } from '../fhir/categories.ts'
import { EmptyScopeError, InvalidScopeError, ScopeWithoutActionError } from './errors.ts'
import { CONSENT_ACTIONS, canonicalScope, parseConsentScope, scopeHash, type ConsentAction, type ConsentScope } from './scope.ts'

const allergiesAndMeds: ConsentScope = { categories: ['allergies', 'medications'], recordIds: [], actions: ['access'] }

const scopeArb = fc
  .record({
    categories: fc.subarray([...RECORD_CATEGORY_IDS]),
    recordIds: fc.array(fc.stringMatching(/^[A-Za-z0-9\-.]{1,64}$/), { maxLength: 6 }),
    actions: fc.subarray(CONSENT_ACTIONS.map((a): ConsentAction => a.code), { minLength: 1 }),
  })
  .filter((s) => s.categories.length + s.recordIds.length > 0)

describe('consent scope', () => {
  it('sorts and de-duplicates every list', () => {
    expect(
      canonicalScope({ categories: ['medications', 'allergies', 'medications'], recordIds: ['b', 'a', 'b'], actions: ['use', 'access'] }),
    ).toEqual({ categories: ['allergies', 'medications'], recordIds: ['a', 'b'], actions: ['access', 'use'] })
  })

  it('hashes the same choice the same, whatever the order it was picked in', () => {
    const permuted = <T>(list: readonly T[]) => fc.shuffledSubarray([...list], { minLength: list.length, maxLength: list.length })
    const scopeAndReordering = scopeArb.chain((scope) =>
      fc
        .record({ categories: permuted(scope.categories), recordIds: permuted([...scope.recordIds, ...scope.recordIds]), actions: permuted(scope.actions) })
        .map((reordered) => [scope, reordered] as const),
    )
    fc.assert(
      fc.property(scopeAndReordering, ([scope, reordered]) => {
        expect(scopeHash(reordered)).toBe(scopeHash(scope))
        expect(canonicalScope(canonicalScope(reordered))).toEqual(canonicalScope(scope))
      }),
    )
  })

  it('hashes different choices differently', () => {
    const hashes = new Set([
      scopeHash(allergiesAndMeds),
      scopeHash({ ...allergiesAndMeds, categories: ['allergies'] }),
      scopeHash({ ...allergiesAndMeds, actions: ['access', 'use'] }),
      scopeHash({ ...allergiesAndMeds, recordIds: ['rec-1'] }),
      // A category id used as a record id is not the category.
      scopeHash({ categories: ['medications'], recordIds: ['allergies'], actions: ['access'] }),
      scopeHash({ categories: [], recordIds: ['allergies', 'medications'], actions: ['access'] }),
    ])
    expect(hashes.size).toBe(6)
  })

  it('refuses a scope with nothing to share or nothing allowed', () => {
    expect(() => canonicalScope({ categories: [], recordIds: [], actions: ['access'] })).toThrow(EmptyScopeError)
    expect(() => scopeHash({ categories: ['allergies'], recordIds: [], actions: [] })).toThrow(ScopeWithoutActionError)
  })

  it('refuses malformed record ids', () => {
    for (const id of ['', 'has space', 'x'.repeat(65), 'a/b', '<script>']) {
      expect(() => canonicalScope({ categories: [], recordIds: [id], actions: ['access'] })).toThrow(InvalidScopeError)
    }
  })

  it('reads a scope from outside input, canonical, and refuses unknown categories and actions', () => {
    expect(parseConsentScope({ categories: ['medications', 'allergies'], actions: ['access'] })).toEqual(allergiesAndMeds)
    expect(() => parseConsentScope({ categories: ['diagnoses'], actions: ['access'] })).toThrow(/"diagnoses" is not a record category/)
    expect(() => parseConsentScope({ categories: ['allergies'], actions: ['sell'] })).toThrow(/"sell" is not a consent action/)
    expect(() => parseConsentScope({ categories: 'allergies', actions: ['access'] })).toThrow(InvalidScopeError)
    expect(() => parseConsentScope(null)).toThrow(InvalidScopeError)
    expect(() => parseConsentScope({ recordIds: [42], actions: ['access'] })).toThrow(InvalidScopeError)
  })
})
