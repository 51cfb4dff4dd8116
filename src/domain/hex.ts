import { hexToBytes, isAddress, isHex, toHex, type Address, type Hex } from 'viem'
import { z } from 'zod'

/**
 * Hex values and addresses as CareKey reads them from outside (storage, a share payload, a
 * request to the share host, configuration): one check each, for the app and the share host.
 */

/** True for a 0x-prefixed hex string of exactly 32 bytes (either letter case). */
export function isBytes32(value: unknown): value is Hex {
  return typeof value === 'string' && value.length === 66 && isHex(value, { strict: true })
}

/** The same 32 bytes as lowercase hex, so that equal values compare equal as strings. */
export function normalizeBytes32(value: Hex): Hex {
  return toHex(hexToBytes(value))
}

/**
 * Any 0x-prefixed hex (a transaction hash, a bearer secret), as written.
 *
 * @example
 * z.object({ hash: hexSchema }).parse({ hash: '0xab…' })
 */
export const hexSchema = z.custom<Hex>((v) => typeof v === 'string' && isHex(v, { strict: true }), 'must be 0x-prefixed hex')

/**
 * Exactly 32 bytes of 0x-prefixed hex (a commitment, a nonce, a grant's hashes), read as lowercase.
 *
 * @example
 * bytes32Schema.parse('0xAB…') // '0xab…'
 */
export const bytes32Schema = z.custom<Hex>(isBytes32, 'must be 32 bytes of 0x-prefixed hex').transform(normalizeBytes32)

/**
 * A 0x-prefixed 20-byte address, as written. Mixed case must be a valid checksum (EIP-55): an
 * address with a wrong checksum was mistyped or damaged, so it is refused.
 *
 * @example
 * addressSchema.parse('0x70997970C51812dc3A010C7d01b50e0d17dc79C8')
 */
export const addressSchema = z.custom<Address>((v) => typeof v === 'string' && isAddress(v), 'must be a 0x-prefixed 20-byte address')
