import { hexToBytes, stringToHex, type Hex } from 'viem'
import { UnknownPurposeError } from './errors.ts'
import { isBytes32 } from '../hex.ts'

/** The HL7 v3 ActReason code system, which holds the PurposeOfUse codes. */
export const PURPOSE_OF_USE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActReason'

/**
 * The purposes a patient can grant consent for: HL7 PurposeOfUse codes (v3 ActReason) with
 * their HL7 display, and plain words for the screens. Only the code is ever part of a grant's
 * terms, and even the code stays off chain (it is hidden inside the commitment).
 */
export const PURPOSES_OF_USE = [
  { code: 'TREAT', display: 'treatment', label: 'Treatment', description: 'To diagnose and treat me.' },
  { code: 'ETREAT', display: 'Emergency Treatment', label: 'Emergency care', description: 'To treat me in an emergency.' },
  { code: 'COC', display: 'coordination of care', label: 'Coordinating my care', description: 'So that the people who care for me can work together, for example after a referral.' },
  { code: 'CAREMGT', display: 'care management', label: 'Managing my care', description: 'To plan and follow up my care, for example by a care manager.' },
  { code: 'PATRQT', display: 'patient requested', label: 'My own request', description: 'Because I asked for it, for my own reasons.' },
  { code: 'FAMRQT', display: 'family requested', label: 'For my family', description: 'For a family member, at my request.' },
  { code: 'PWATRNY', display: 'power of attorney', label: 'Power of attorney', description: 'For the person who holds my power of attorney.' },
  { code: 'SUPNWK', display: 'support network', label: 'Someone who cares for me', description: 'For a carer, relative or friend who supports me.' },
  { code: 'HPAYMT', display: 'healthcare payment', label: 'Paying for my care', description: 'So that my care can be billed or reimbursed.' },
  { code: 'HRESCH', display: 'healthcare research', label: 'Health research', description: 'For health research.' },
  { code: 'CLINTRCH', display: 'clinical trial research', label: 'A clinical trial', description: 'For a clinical trial I take part in.' },
  { code: 'PUBHLTH', display: 'public health', label: 'Public health', description: 'For public health work, such as disease monitoring.' },
] as const

export type PurposeOfUse = (typeof PURPOSES_OF_USE)[number]['code']

export type PurposeOfUseEntry = (typeof PURPOSES_OF_USE)[number]

/**
 * The four purposes most patients need, offered first: being treated, in an emergency or not;
 * the people who care for them working together (a referral); a carer or relative. The others
 * come behind "More purposes". Only the order of the screens: codes and grants do not change.
 */
export const COMMON_PURPOSES: readonly PurposeOfUse[] = ['TREAT', 'ETREAT', 'COC', 'SUPNWK']

/**
 * The purposes as the grant screen offers them: the common four first, in that order, then
 * every other one in PURPOSES_OF_USE order.
 *
 * @example
 * purposeChoices().common.map((p) => p.label) // ['Treatment', 'Emergency care', 'Coordinating my care', 'Someone who cares for me']
 */
export function purposeChoices(): { common: PurposeOfUseEntry[]; more: PurposeOfUseEntry[] } {
  return {
    common: COMMON_PURPOSES.map((code) => purposeOfUse(code)),
    more: PURPOSES_OF_USE.filter((p) => !COMMON_PURPOSES.includes(p.code)),
  }
}

/**
 * True for a code CareKey offers.
 *
 * @example
 * isPurposeOfUse('ETREAT') // true
 */
export function isPurposeOfUse(value: unknown): value is PurposeOfUse {
  return typeof value === 'string' && PURPOSES_OF_USE.some((p) => p.code === value)
}

/**
 * The entry for a code, for showing it. Throws UnknownPurposeError for a code CareKey does not offer.
 *
 * @example
 * purposeOfUse('TREAT').label // 'Treatment'
 */
export function purposeOfUse(code: string): PurposeOfUseEntry {
  const entry = PURPOSES_OF_USE.find((p) => p.code === code)
  if (!entry) throw new UnknownPurposeError(code)
  return entry
}

/**
 * The purpose as the contract's `bytes32 purpose`: the code's ASCII bytes, left-aligned and
 * padded with zero bytes on the right (what Solidity's `bytes32("TREAT")` gives).
 *
 * @example
 * encodePurpose('TREAT') // '0x5452454154000000000000000000000000000000000000000000000000000000'
 */
export function encodePurpose(code: PurposeOfUse): Hex {
  return stringToHex(purposeOfUse(code).code, { size: 32 })
}

/**
 * The PurposeOfUse code inside a `bytes32 purpose`. Throws UnknownPurposeError unless it is
 * exactly the encoding of a code CareKey offers.
 *
 * @example
 * decodePurpose(encodePurpose('HRESCH')) // 'HRESCH'
 */
export function decodePurpose(purpose: Hex): PurposeOfUse {
  if (!isBytes32(purpose)) throw new UnknownPurposeError(String(purpose))
  const bytes = hexToBytes(purpose)
  let end = bytes.length
  while (end > 0 && bytes[end - 1] === 0) end--
  const code = String.fromCharCode(...bytes.subarray(0, end))
  const entry = PURPOSES_OF_USE.find((p) => p.code === code)
  if (!entry) throw new UnknownPurposeError(code.replace(/[^\x20-\x7e]/g, '?'))
  return entry.code
}
