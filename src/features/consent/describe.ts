import type { Hex } from 'viem'
import { decodePurpose, purposeOfUse, type ConsentScope, type GranteeChoice } from '../../domain/consent/index.ts'
import { categoryLabel } from '../../domain/fhir/categories.ts'

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
 * What the grant covers, in words.
 *
 * @example
 * scopeText({ categories: ['allergies', 'medications'], recordIds: [], actions: ['access'] }) // 'Allergies and Medications'
 */
export function scopeText(scope: ConsentScope): string {
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
 * The purpose in plain words with its HL7 code.
 *
 * @example
 * purposeText(encodePurpose('TREAT')) // 'Treatment (TREAT)'
 */
export function purposeText(purpose: Hex): string {
  const entry = purposeOfUse(decodePurpose(purpose))
  return `${entry.label} (${entry.code})`
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
