import { toHex, zeroHash, type Address, type Hex } from 'viem'
import { z } from 'zod'
import { randomBytes } from '../crypto/bytes.ts'
import {
  GrantPeriodReversedError,
  GrantTooLongError,
  GrantTooShortError,
  GrantValidityEndedError,
  InvalidGrantTermsError,
} from './errors.ts'
import { encodeGrantee, parseAddress, type GranteeChoice } from './grantee.ts'
import { bytes32Schema, isBytes32, normalizeBytes32 } from '../hex.ts'
import { decodePurpose, encodePurpose, purposeOfUse } from './purpose.ts'
import { scopeHash, type ConsentScope } from './scope.ts'

/**
 * The terms a consent grant commits to, field for field the contract's
 * `ConsentRegistry.GrantTerms` struct (uint64 as bigint, bytes32 as 0x-hex). Only their
 * commitment goes on chain; the terms travel with the share or stay on the device.
 */
export type GrantTerms = {
  /** The granting patient's account. */
  patient: Address
  /** addressGrantee(clinician) or bearerGrantee(secret). */
  grantee: Hex
  /** scopeHash(scope). */
  scopeHash: Hex
  /** encodePurpose(code). */
  purpose: Hex
  /** Start of validity, unix seconds. */
  validFrom: bigint
  /** End of validity (exclusive), unix seconds. */
  validUntil: bigint
  /** Hash of the shared data, or NO_SHARED_DATA. */
  dataHash: Hex
  /** 32 random bytes, so that guessable terms cannot be found from the commitment. */
  salt: Hex
}

/** The data hash of a grant that does not (yet) commit to shared data. */
export const NO_SHARED_DATA: Hex = zeroHash

/** The longest consent CareKey records, counted from now. */
export const MAX_GRANT_DAYS = 365
/** The shortest: the network must record the grant before it ends. */
export const MIN_GRANT_MINUTES = 5
/**
 * How far before "now" a new grant starts. Phone clocks run a little ahead of or behind the
 * chain's; starting slightly earlier keeps a fresh grant from reading as "not yet started".
 */
export const GRANT_START_LEEWAY_SECONDS = 60

/** The durations the grant screen offers, besides a custom end. */
export const GRANT_DURATIONS = [
  { id: '1h', label: '1 hour', seconds: 3_600 },
  { id: '24h', label: '24 hours', seconds: 86_400 },
  { id: '7d', label: '7 days', seconds: 7 * 86_400 },
  { id: '30d', label: '30 days', seconds: 30 * 86_400 },
] as const

/** What the patient chose on the grant screen, before it becomes terms. */
export type GrantDraft = {
  /** The patient's own account (from the unlocked wallet or the connected wallet). */
  patient: Address
  grantee: GranteeChoice
  scope: ConsentScope
  /** An HL7 PurposeOfUse code from PURPOSES_OF_USE. */
  purpose: string
  /** Defaults to now minus GRANT_START_LEEWAY_SECONDS. */
  validFrom?: Date
  validUntil: Date
  /** Defaults to NO_SHARED_DATA. */
  dataHash?: Hex
}

/**
 * A fresh random salt for a grant: 32 bytes from the platform's CSPRNG.
 *
 * @example
 * newGrantSalt() // '0x3f…' (66 characters)
 */
export function newGrantSalt(): Hex {
  return toHex(randomBytes(32))
}

/**
 * Turns the patient's choices into grant terms with a fresh salt, after checking them all:
 * addresses, purpose, scope and period (see checkNewGrantPeriod). Throws a ConsentTermsError
 * subclass saying what to change.
 *
 * @example
 * const terms = createGrantTerms(
 *   { patient, grantee: { kind: 'address', address: clinician }, purpose: 'TREAT',
 *     scope: { categories: ['allergies', 'medications'], recordIds: [], actions: ['access'] },
 *     validUntil: new Date(Date.now() + 86_400_000) },
 *   { now: new Date() },
 * )
 */
export function createGrantTerms(draft: GrantDraft, options: { now: Date; salt?: Hex }): GrantTerms {
  const now = toUnixSeconds(options.now)
  const validFrom = draft.validFrom ? toUnixSeconds(draft.validFrom) : now - BigInt(GRANT_START_LEEWAY_SECONDS)
  const validUntil = toUnixSeconds(draft.validUntil)
  checkNewGrantPeriod(validFrom, validUntil, now)
  const salt = options.salt ?? newGrantSalt()
  if (!isBytes32(salt) || salt === zeroHash) throw new InvalidGrantTermsError('the salt', 'must be 32 random bytes')
  const dataHash = draft.dataHash ?? NO_SHARED_DATA
  if (!isBytes32(dataHash)) throw new InvalidGrantTermsError('the data hash', 'must be 32 bytes')
  return {
    patient: parseAddress(draft.patient, 'patient'),
    grantee: encodeGrantee(draft.grantee),
    scopeHash: scopeHash(draft.scope),
    purpose: encodePurpose(purposeOfUse(draft.purpose).code),
    validFrom,
    validUntil,
    dataHash: normalizeBytes32(dataHash),
    salt: normalizeBytes32(salt),
  }
}

/**
 * The rules for the period of a grant about to be recorded (unix seconds): it ends after it
 * starts, at least MIN_GRANT_MINUTES from now, and at most MAX_GRANT_DAYS from now.
 *
 * @example
 * checkNewGrantPeriod(terms.validFrom, terms.validUntil, toUnixSeconds(new Date())) // throws GrantValidityEndedError once past
 */
export function checkNewGrantPeriod(validFrom: bigint, validUntil: bigint, now: bigint): void {
  if (validUntil <= now) throw new GrantValidityEndedError()
  if (validUntil <= validFrom) throw new GrantPeriodReversedError()
  if (validUntil - now < BigInt(MIN_GRANT_MINUTES * 60)) throw new GrantTooShortError(MIN_GRANT_MINUTES)
  if (validUntil - now > BigInt(MAX_GRANT_DAYS * 86_400)) throw new GrantTooLongError(MAX_GRANT_DAYS)
}

/**
 * Checks terms that are about to be recorded (for example rebuilt from storage): every field
 * well-formed, a known purpose, and a period that checkNewGrantPeriod accepts at `now`.
 *
 * @example
 * checkNewGrantTerms(storedTerms, { now: new Date() })
 */
export function checkNewGrantTerms(terms: GrantTerms, options: { now: Date }): void {
  const parsed = parseGrantTerms(grantTermsToJson(terms))
  checkNewGrantPeriod(parsed.validFrom, parsed.validUntil, toUnixSeconds(options.now))
}

/** Grant terms as JSON: the uint64 fields as decimal strings, everything else as in GrantTerms. */
export type GrantTermsJson = {
  patient: string
  grantee: string
  scopeHash: string
  purpose: string
  validFrom: string
  validUntil: string
  dataHash: string
  salt: string
}

/**
 * Grant terms as JSON-safe values, for a share payload or storage. Read back with parseGrantTerms.
 *
 * @example
 * JSON.stringify(grantTermsToJson(terms)) // '{"patient":"0x…",…,"validUntil":"1795168800",…}'
 */
export function grantTermsToJson(terms: GrantTerms): GrantTermsJson {
  return { ...terms, validFrom: terms.validFrom.toString(), validUntil: terms.validUntil.toString() }
}

const uint64 = z
  .union([z.string().regex(/^(0|[1-9]\d{0,19})$/, 'must be a whole number of seconds'), z.number().int().nonnegative()])
  .transform((v) => BigInt(v))
  .refine((v) => v < 2n ** 64n, 'is too large')

const termsJson = z.object({
  patient: z.string(),
  grantee: bytes32Schema,
  scopeHash: bytes32Schema,
  purpose: bytes32Schema,
  validFrom: uint64,
  validUntil: uint64,
  dataHash: bytes32Schema,
  salt: bytes32Schema,
})

/**
 * Reads grant terms from outside input (a share payload, storage): checks every field's
 * form, that the purpose is a known code, the patient a valid address, the salt and grantee
 * non-zero, and that the period ends after it starts. It does not check the period against
 * the clock: expired terms are still terms, and the chain says they are expired.
 * Throws InvalidGrantTermsError, InvalidAddressError or UnknownPurposeError.
 *
 * @example
 * const terms = parseGrantTerms(JSON.parse(text))
 */
export function parseGrantTerms(value: unknown): GrantTerms {
  const parsed = termsJson.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new InvalidGrantTermsError(issue?.path.join('.') || 'the terms', issue?.message ?? 'are malformed')
  }
  const t = parsed.data
  decodePurpose(t.purpose)
  if (BigInt(t.grantee) === 0n) throw new InvalidGrantTermsError('grantee', 'is empty')
  if (BigInt(t.salt) === 0n) throw new InvalidGrantTermsError('salt', 'is empty')
  if (BigInt(t.scopeHash) === 0n) throw new InvalidGrantTermsError('scopeHash', 'is empty')
  if (t.validUntil <= t.validFrom) throw new GrantPeriodReversedError()
  return {
    patient: parseAddress(t.patient, 'patient'),
    grantee: t.grantee,
    scopeHash: t.scopeHash,
    purpose: t.purpose,
    validFrom: t.validFrom,
    validUntil: t.validUntil,
    dataHash: t.dataHash,
    salt: t.salt,
  }
}

/**
 * Whole unix seconds of a date (rounded down).
 *
 * @example
 * toUnixSeconds(new Date('2026-11-20T10:00:00.900Z')) // 1795168800n
 */
export function toUnixSeconds(date: Date): bigint {
  const ms = date.getTime()
  if (!Number.isFinite(ms)) throw new InvalidGrantTermsError('the date', 'is not a valid date')
  return BigInt(Math.floor(ms / 1000))
}

/**
 * The date of unix seconds.
 *
 * @example
 * fromUnixSeconds(terms.validUntil).toISOString()
 */
export function fromUnixSeconds(seconds: bigint): Date {
  return new Date(Number(seconds) * 1000)
}
