/**
 * A credential's status in the CredentialRegistry, in the order of the contract's
 * `enum Status` (a status is read from chain as its index here):
 * - `none`: no credential for this address (or none with the role asked about);
 * - `valid`: issued, started, not ended and not revoked: the only status that counts as verified;
 * - `revoked`: revoked by its issuer;
 * - `expired`: its end of validity has passed;
 * - `pending`: issued, but its validity has not started yet.
 */
export const CREDENTIAL_STATUSES = ['none', 'valid', 'revoked', 'expired', 'pending'] as const

export type CredentialStatus = (typeof CREDENTIAL_STATUSES)[number]

/**
 * The status the contract returns as a number; undefined for a number it does not have.
 *
 * @example
 * credentialStatusFromChain(1) // 'valid'
 */
export function credentialStatusFromChain(value: number): CredentialStatus | undefined {
  return CREDENTIAL_STATUSES[value]
}
