import { hexToBigInt, parseSignature, signatureToCompactSignature, type Hex } from 'viem'
import type { RegistryLocation } from './commitment.ts'
import { CareKeyError } from '../errors.ts'

/**
 * Signed grants and revokes: the EIP-712 messages a per-grant key signs so that anyone (the
 * share host's sponsor relay) can record them with `ConsentRegistry.grantBySig` and
 * `revokeBySig`. The patient is whoever signed; the contract recovers the address.
 */

/** The EIP-712 domain name the ConsentRegistry verifies. */
export const CONSENT_REGISTRY_DOMAIN_NAME = 'CareKey Consent Registry'
/** The EIP-712 domain version the ConsentRegistry verifies. */
export const CONSENT_REGISTRY_DOMAIN_VERSION = '1'

/** EIP-712 types of `grantBySig`: `Grant(bytes32 commitment,uint64 validUntil,uint64 deadline)`. */
export const SIGNED_GRANT_TYPES = {
  Grant: [
    { name: 'commitment', type: 'bytes32' },
    { name: 'validUntil', type: 'uint64' },
    { name: 'deadline', type: 'uint64' },
  ],
} as const

/** EIP-712 types of `revokeBySig`: `Revoke(bytes32 commitment,uint64 deadline)`. */
export const SIGNED_REVOKE_TYPES = {
  Revoke: [
    { name: 'commitment', type: 'bytes32' },
    { name: 'deadline', type: 'uint64' },
  ],
} as const

/** What a per-grant key signs to record a grant. Times are unix seconds. */
export type SignedGrantMessage = {
  commitment: Hex
  /** The grant's end of validity, as recorded on chain. */
  validUntil: bigint
  /** The last second at which the signature may be submitted. */
  deadline: bigint
}

/** What a per-grant key signs to revoke its grant. */
export type SignedRevokeMessage = {
  commitment: Hex
  deadline: bigint
}

/**
 * The EIP-712 domain of signed grants and revokes: bound to the chain and the registry, so a
 * signature made for one never counts on another.
 *
 * @example
 * consentRegistryDomain({ chainId: 84532, registry: '0x…' })
 * // { name: 'CareKey Consent Registry', version: '1', chainId: 84532, verifyingContract: '0x…' }
 */
export function consentRegistryDomain(location: RegistryLocation) {
  return {
    name: CONSENT_REGISTRY_DOMAIN_NAME,
    version: CONSENT_REGISTRY_DOMAIN_VERSION,
    chainId: location.chainId,
    verifyingContract: location.registry,
  } as const
}

/**
 * The typed data a per-grant key signs to record a grant (viem's `signTypedData` and
 * `recoverTypedDataAddress` take it as it is).
 *
 * @example
 * const signature = await grantKey.signTypedData(grantTypedData(location, { commitment, validUntil, deadline }))
 */
export function grantTypedData(location: RegistryLocation, message: SignedGrantMessage) {
  return {
    domain: consentRegistryDomain(location),
    types: SIGNED_GRANT_TYPES,
    primaryType: 'Grant',
    message: { commitment: message.commitment, validUntil: message.validUntil, deadline: message.deadline },
  } as const
}

/**
 * The typed data a per-grant key signs to revoke its grant.
 *
 * @example
 * const signature = await grantKey.signTypedData(revokeTypedData(location, { commitment, deadline }))
 */
export function revokeTypedData(location: RegistryLocation, message: SignedRevokeMessage) {
  return {
    domain: consentRegistryDomain(location),
    types: SIGNED_REVOKE_TYPES,
    primaryType: 'Revoke',
    message: { commitment: message.commitment, deadline: message.deadline },
  } as const
}

/** An EIP-2098 compact signature: `r`, and `s` with the recovery bit in its top bit. */
export type CompactGrantSignature = { r: Hex; vs: Hex }

/** A signature that is not a 65-byte, low-`s` secp256k1 signature. */
export class InvalidGrantSignatureError extends CareKeyError {
  constructor(problem: string, options?: ErrorOptions) {
    super(`The consent's signature is not valid: ${problem}.`, 'Sign the consent again on this device.', options)
  }
}

/**
 * Splits a 65-byte signature (`r ‖ s ‖ v`, as `signTypedData` returns it) into the compact
 * (`r`, `vs`) the registry takes. Refuses a high-`s` signature, which the registry refuses too.
 *
 * @example
 * const { r, vs } = compactGrantSignature(signature)
 * await registry.write.grantBySig([commitment, validUntil, deadline, r, vs])
 */
export function compactGrantSignature(signature: Hex): CompactGrantSignature {
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) throw new InvalidGrantSignatureError('it is not 65 bytes of hex')
  let parsed: ReturnType<typeof parseSignature>
  try {
    parsed = parseSignature(signature)
  } catch (cause) {
    throw new InvalidGrantSignatureError('it is not a secp256k1 signature', { cause })
  }
  // The registry refuses an `s` above half the curve order (the malleable twin of a valid one).
  if (hexToBigInt(parsed.s) > SECP256K1_HALF_ORDER) throw new InvalidGrantSignatureError('its s value is in the upper half (a malleated signature)')
  const { r, yParityAndS } = signatureToCompactSignature(parsed)
  return { r, vs: yParityAndS }
}

/** Half the order of secp256k1: the registry accepts a signature's `s` up to this. */
export const SECP256K1_HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n

/** The random part of a signature's deadline: up to a day, in seconds. */
export const DEADLINE_JITTER_SECONDS = 86_400

/**
 * A deadline for a signed grant or revoke: `lifetimeSeconds` from `nowSeconds`, plus a random
 * second within a day, so that grants signed by one patient around the same time do not share
 * a deadline on chain (anything two transactions have in common links them): five grants
 * signed at once share one with a chance of about 1 in 8,600. A later deadline gives nothing
 * away: the grant's own end of validity still bounds it, and a revoke can only end a grant.
 *
 * @example
 * const deadline = signatureDeadline(BigInt(Math.floor(Date.now() / 1000)))
 */
export function signatureDeadline(nowSeconds: bigint, lifetimeSeconds = 900n): bigint {
  const [random = 0] = crypto.getRandomValues(new Uint32Array(1))
  return nowSeconds + lifetimeSeconds + BigInt(random % DEADLINE_JITTER_SECONDS)
}
