/**
 * The roles a licensing body registers a professional for, and their bits in
 * `CredentialRegistry` (a credential's roles are one uint8 bit set on chain).
 */

/** A professional's role: a clinician may be shown to patients as verified; a prescriber writes prescriptions; a pharmacy dispenses them. */
export type ProfessionalRole = 'clinician' | 'prescriber' | 'pharmacy'

/** Every role, in the order of their bits. */
export const PROFESSIONAL_ROLES = ['clinician', 'prescriber', 'pharmacy'] as const satisfies readonly ProfessionalRole[]

/** The contract's ROLE_* bits. */
export const ROLE_BITS: Readonly<Record<ProfessionalRole, number>> = { clinician: 1, prescriber: 2, pharmacy: 4 }

/**
 * The bit set of these roles, as `CredentialRegistry.issue` takes it.
 *
 * @example
 * roleBits(['prescriber', 'clinician']) // 3
 */
export function roleBits(roles: readonly ProfessionalRole[]): number {
  return roles.reduce((bits, role) => bits | ROLE_BITS[role], 0)
}

/**
 * The roles in a bit set read from the chain, in bit order; unknown bits are ignored.
 *
 * @example
 * rolesOfBits(6) // ['prescriber', 'pharmacy']
 */
export function rolesOfBits(bits: number): ProfessionalRole[] {
  return PROFESSIONAL_ROLES.filter((role) => (bits & ROLE_BITS[role]) !== 0)
}
