/**
 * A grant's status in the ConsentRegistry, in the order of the contract's `enum Status`
 * (a status is read from chain as its index here):
 * - `unknown`: never recorded by this patient, or the terms are not the ones granted;
 * - `active`: recorded, started and not ended or revoked;
 * - `revoked`: revoked by the patient (final);
 * - `expired`: its end of validity has passed (final);
 * - `pending`: recorded, but its validity has not started yet.
 * The app and the share host both read statuses with it.
 */
export const GRANT_STATUSES = ['unknown', 'active', 'revoked', 'expired', 'pending'] as const

export type GrantStatus = (typeof GRANT_STATUSES)[number]

/**
 * The status the contract returns as a number; undefined for a number the contract does not
 * have (the caller says what that means for it).
 *
 * @example
 * grantStatusFromChain(1) // 'active'
 * grantStatusFromChain(9) // undefined
 */
export function grantStatusFromChain(value: number): GrantStatus | undefined {
  return GRANT_STATUSES[value]
}
