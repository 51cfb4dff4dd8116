import { isAddressEqual, type Address, type Hex } from 'viem'
import { decodePurpose, purposeOfUse, type ConsentScope, type GranteeChoice } from '../../domain/consent/index.ts'
import { categoryLabel, RECORD_CATEGORY_IDS } from '../../domain/fhir/categories.ts'

/** Words for a grant, shared by the review, the list, the details and the share screen. */

/**
 * A long hex value shortened for reading, keeping both ends: '0x1234ab…9f0e'.
 *
 * @example
 * shortHex('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266') // '0xf39Fd6…2266'
 */
export function shortHex(hex: string, keep = 6): string {
  return hex.length <= keep * 2 + 3 ? hex : `${hex.slice(0, keep + 2)}…${hex.slice(-4)}`
}

/**
 * Who the grant is for, in words: the name the patient gave and the address, or the bearer.
 *
 * @example
 * granteeText({ kind: 'address', address }, 'Dr. Lee') // 'Dr. Lee (0x7099…79C8)'
 */
export function granteeText(grantee: GranteeChoice, name: string | undefined): string {
  if (grantee.kind === 'bearer') return name ? `${name} (whoever you show the QR code to)` : 'Whoever you show the QR code to'
  return name ? `${name} (${shortHex(grantee.address)})` : grantee.address
}

/**
 * True when a scope covers every category: "all my records".
 *
 * @example
 * coversAllRecords({ categories: [...RECORD_CATEGORY_IDS], recordIds: [], actions: ['access'] }) // true
 */
export function coversAllRecords(scope: Pick<ConsentScope, 'categories'>): boolean {
  return RECORD_CATEGORY_IDS.every((c) => scope.categories.includes(c))
}

/**
 * What the grant covers, in words.
 *
 * @example
 * scopeText({ categories: ['allergies', 'medications'], recordIds: [], actions: ['access'] }) // 'Allergies and Medications'
 */
export function scopeText(scope: ConsentScope): string {
  if (coversAllRecords(scope)) return 'All your records'
  const parts = scope.categories.map(categoryLabel)
  if (scope.recordIds.length > 0) parts.push(scope.recordIds.length === 1 ? '1 chosen record' : `${scope.recordIds.length} chosen records`)
  return listText(parts)
}

/**
 * 'A', 'A and B', 'A, B and C'.
 *
 * @example
 * listText(['Allergies', 'Medications', 'Labs']) // 'Allergies, Medications and Labs'
 */
export function listText(parts: readonly string[]): string {
  if (parts.length <= 1) return parts[0] ?? ''
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1] ?? ''}`
}

/**
 * The purpose in plain words, for the patient's screens (the code goes in technical details).
 *
 * @example
 * purposeText(encodePurpose('TREAT')) // 'Treatment'
 */
export function purposeText(purpose: Hex): string {
  return purposeOfUse(decodePurpose(purpose)).label
}

/**
 * The purpose as the HL7 code it is recorded as, for technical details.
 *
 * @example
 * purposeCodeText(encodePurpose('PWATRNY')) // 'PWATRNY (power of attorney)'
 */
export function purposeCodeText(purpose: Hex): string {
  const entry = purposeOfUse(decodePurpose(purpose))
  return `${entry.code} (${entry.display})`
}

/** A moment (unix seconds) as a date and time in the patient's locale (shared with the viewer). */
export { dateTimeText } from '../../domain/consent/index.ts'

/**
 * How long from now until a moment, roughly: 'in 24 hours', 'in 7 days', 'ended'.
 *
 * @example
 * remainingText(terms.validUntil, new Date()) // 'in 24 hours'
 */
export function remainingText(until: bigint, now: Date): string {
  const minutes = Math.round((Number(until) * 1000 - now.getTime()) / 60_000)
  if (minutes <= 0) return 'ended'
  if (minutes < 90) return `in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`
  const hours = Math.round(minutes / 60)
  if (hours < 48) return `in ${hours} hours`
  return `in ${Math.round(hours / 24)} days`
}

/**
 * Where a grant was made from: a one-time address of its own (a per-grant key), the wallet's
 * main address, or another account the patient connected (a browser wallet). The last two
 * come from before grants had keys of their own: anyone can list the grants of that address.
 */
export type GrantOrigin = 'one-time-address' | 'main-address' | 'other-account'

/**
 * Where a grant was made from (see GrantOrigin), from its key index (absent for a grant made
 * directly from an account) and its patient address.
 *
 * @example
 * grantOrigin({ grantKeyIndex: undefined, patient: keys.account.address }, keys.account.address) // 'main-address'
 */
export function grantOrigin(grant: { grantKeyIndex: number | undefined; patient: Address }, mainAddress: Address | undefined): GrantOrigin {
  if (grant.grantKeyIndex !== undefined) return 'one-time-address'
  return mainAddress !== undefined && isAddressEqual(grant.patient, mainAddress) ? 'main-address' : 'other-account'
}

/**
 * A short label for a grant that can be linked to the patient's other grants, for lists and
 * details; undefined for a grant made from a one-time address.
 *
 * @example
 * linkableLabel('main-address') // 'Made from your main address (can be linked)'
 */
export function linkableLabel(origin: GrantOrigin): string | undefined {
  if (origin === 'main-address') return 'Made from your main address (can be linked)'
  if (origin === 'other-account') return 'Made from your browser wallet’s address (can be linked)'
  return undefined
}

/**
 * What the network learns about the patient from a grant, in plain words.
 *
 * @example
 * originText('one-time-address') // 'Made from a one-time address used for this consent alone: …'
 */
export function originText(origin: GrantOrigin): string {
  if (origin === 'one-time-address') {
    return 'Made from a one-time address used for this consent alone: nothing on the network links it to your other consents.'
  }
  return `${linkableLabel(origin) ?? ''}: it was made before each consent had an address of its own, so anyone can list the consents made from that address.`
}

/**
 * Who paid the network fee of a grant, in plain words: the sponsor, or the patient's account
 * (which links the grant to that account). A grant made from an account paid from it.
 *
 * @example
 * feeText({ grantKeyIndex: 0, sentBy: 'sponsor' }) // 'CareKey’s sponsor paid the network fee: it cost you nothing.'
 */
export function feeText(grant: { grantKeyIndex: number | undefined; sentBy: 'sponsor' | 'account' | undefined }): string {
  if (grant.grantKeyIndex === undefined) return 'The network fee was paid from the account that made it.'
  if (grant.sentBy === 'account') {
    return 'The network fee was paid from your account, and anyone can see that: it links this consent to your account.'
  }
  return 'CareKey’s sponsor paid the network fee: it cost you nothing.'
}
