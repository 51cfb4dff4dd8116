import { encodeAbiParameters, keccak256, type Hex } from 'viem'
import { z } from 'zod'
import { isRecordCategory, type RecordCategory } from '../fhir/categories.ts'
import { EmptyScopeError, InvalidScopeError, ScopeWithoutActionError } from './errors.ts'

/** The HL7 consent action code system (FHIR R4 Consent.provision.action). */
export const CONSENT_ACTION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/consentaction'

/** What a recipient may do with the shared records, in HL7 consent action codes and plain words. */
export const CONSENT_ACTIONS = [
  { code: 'access', display: 'Access', label: 'See', description: 'Open and read the shared records.' },
  { code: 'use', display: 'Use', label: 'Use for my care', description: 'Use them for the purpose I chose.' },
  { code: 'collect', display: 'Collect', label: 'Keep a copy', description: 'Save them in their own records.' },
  { code: 'disclose', display: 'Disclose', label: 'Pass on', description: 'Pass them on to others for the same purpose.' },
  { code: 'correct', display: 'Access and Correct', label: 'Correct', description: 'Suggest corrections to them.' },
] as const

export type ConsentAction = (typeof CONSENT_ACTIONS)[number]['code']

/**
 * True for an HL7 consent action code CareKey offers.
 *
 * @example
 * isConsentAction('access') // true
 */
export function isConsentAction(value: unknown): value is ConsentAction {
  return typeof value === 'string' && CONSENT_ACTIONS.some((a) => a.code === value)
}

/**
 * What a grant covers: whole categories and/or hand-picked records (by their CareKey record
 * id), and what the recipient may do with them. This is the FHIR Consent provision in
 * CareKey's words; `buildConsentResource` writes it out as FHIR.
 */
export type ConsentScope = {
  readonly categories: readonly RecordCategory[]
  readonly recordIds: readonly string[]
  readonly actions: readonly ConsentAction[]
}

/** The tag hashed with every scope, so that a later encoding can never collide with this one. */
export const SCOPE_ENCODING_VERSION = 'carekey.consent-scope/v1'

/** A record id as FHIR allows ids: letters, digits, '-' and '.', 1 to 64 characters. */
const RECORD_ID = /^[A-Za-z0-9\-.]{1,64}$/

/** Most hand-picked records one grant can name; whole categories cover more. */
export const MAX_SCOPE_RECORDS = 1_000

/**
 * The one canonical form of a scope: each list without duplicates and sorted by UTF-16 code
 * units (not by locale), so that the same choice always hashes the same on every device.
 * Throws EmptyScopeError (no category and no record), ScopeWithoutActionError (no action) or
 * InvalidScopeError (an unknown category or action, or a malformed record id).
 *
 * @example
 * canonicalScope({ categories: ['medications', 'allergies', 'allergies'], recordIds: [], actions: ['access'] })
 * // { categories: ['allergies', 'medications'], recordIds: [], actions: ['access'] }
 */
export function canonicalScope(scope: ConsentScope): ConsentScope {
  for (const category of scope.categories) {
    if (!isRecordCategory(category)) throw new InvalidScopeError(`"${String(category).slice(0, 40)}" is not a record category`)
  }
  for (const action of scope.actions) {
    if (!isConsentAction(action)) throw new InvalidScopeError(`"${String(action).slice(0, 40)}" is not a consent action`)
  }
  for (const id of scope.recordIds) {
    if (typeof id !== 'string' || !RECORD_ID.test(id)) throw new InvalidScopeError(`"${String(id).slice(0, 70)}" is not a record id`)
  }
  const canonical = {
    categories: sortedUnique(scope.categories),
    recordIds: sortedUnique(scope.recordIds),
    actions: sortedUnique(scope.actions),
  }
  if (canonical.categories.length === 0 && canonical.recordIds.length === 0) throw new EmptyScopeError()
  if (canonical.actions.length === 0) throw new ScopeWithoutActionError()
  if (canonical.recordIds.length > MAX_SCOPE_RECORDS) {
    throw new InvalidScopeError(`it names ${canonical.recordIds.length} records, more than ${MAX_SCOPE_RECORDS}`)
  }
  return canonical
}

/**
 * The scope hash a grant commits to:
 * `keccak256(abi.encode(string version, string[] actions, string[] categories, string[] recordIds))`
 * over the canonical scope, with version `carekey.consent-scope/v1`. ABI encoding is
 * length-prefixed, so no two different scopes share an encoding; Solidity can recompute it.
 *
 * @example
 * scopeHash({ categories: ['allergies'], recordIds: [], actions: ['access'] }) // '0x…'
 */
export function scopeHash(scope: ConsentScope): Hex {
  const c = canonicalScope(scope)
  return keccak256(
    encodeAbiParameters(
      [{ type: 'string' }, { type: 'string[]' }, { type: 'string[]' }, { type: 'string[]' }],
      [SCOPE_ENCODING_VERSION, c.actions, c.categories, c.recordIds],
    ),
  )
}

const scopeInput = z.object({
  categories: z.array(z.string()).default([]),
  recordIds: z.array(z.string()).default([]),
  actions: z.array(z.string()).default([]),
})

/**
 * Reads a scope from outside input (a share, storage written by an older version) and
 * returns it canonical. Throws InvalidScopeError naming the problem, or the errors of
 * canonicalScope.
 *
 * @example
 * parseConsentScope(JSON.parse('{"categories":["allergies"],"actions":["access"]}'))
 */
export function parseConsentScope(value: unknown): ConsentScope {
  const parsed = scopeInput.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new InvalidScopeError(issue ? `${issue.path.join('.') || 'the scope'}: ${issue.message}` : 'it is not an object')
  }
  const categories = parsed.data.categories.map((c) => {
    if (!isRecordCategory(c)) throw new InvalidScopeError(`"${c.slice(0, 40)}" is not a record category`)
    return c
  })
  const actions = parsed.data.actions.map((a) => {
    if (!isConsentAction(a)) throw new InvalidScopeError(`"${a.slice(0, 40)}" is not a consent action`)
    return a
  })
  return canonicalScope({ categories, recordIds: parsed.data.recordIds, actions })
}

function sortedUnique<T extends string>(values: readonly T[]): T[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}
