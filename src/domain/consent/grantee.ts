import { getAddress, hexToBytes, isAddress, keccak256, pad, toHex, zeroAddress, type Address, type Hex } from 'viem'
import { randomBytes } from '../crypto/bytes.ts'
import { InvalidAddressError, InvalidGrantTermsError } from './errors.ts'
import { isBytes32, normalizeBytes32 } from '../hex.ts'

/**
 * Who a grant is for, as the patient chose it:
 * - `address`: one clinician's account, typed, pasted or scanned;
 * - `bearer`: "whoever I show this QR to". The QR carries a random 32-byte secret; the grant
 *   commits only to its hash, so holding the QR is what proves being the grantee.
 */
export type GranteeChoice = { kind: 'address'; address: Address } | { kind: 'bearer'; secret: Hex }

/**
 * Parses an account address typed, pasted or scanned by a person. Accepts an `ethereum:`
 * prefix (as in address QR codes) and surrounding spaces; all-lowercase or all-uppercase is
 * accepted as is, mixed case must carry a valid EIP-55 checksum. Returns the checksummed form.
 *
 * @example
 * parseAddress(' 0x70997970c51812dc3a010c7d01b50e0d17dc79c8 ', 'grantee') // '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
 */
export function parseAddress(text: string, field: 'patient' | 'grantee' | 'registry'): Address {
  const candidate = text.trim().replace(/^ethereum:/i, '').replace(/[@/?].*$/, '')
  if (!isAddress(candidate, { strict: false })) throw new InvalidAddressError(field, 'format')
  const body = candidate.slice(2)
  const carriesChecksum = body !== body.toLowerCase() && body !== body.toUpperCase()
  if (carriesChecksum && !isAddress(candidate, { strict: true })) throw new InvalidAddressError(field, 'checksum')
  const address = getAddress(candidate)
  if (address === zeroAddress) throw new InvalidAddressError(field, 'zero')
  return address
}

/**
 * The grantee field for one account: the 20-byte address left-padded with zero bytes to 32
 * (as Solidity's `bytes32(uint256(uint160(addr)))`), lowercase hex.
 *
 * @example
 * addressGrantee('0x70997970C51812dc3A010C7d01b50e0d17dc79C8')
 * // '0x00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8'
 */
export function addressGrantee(address: Address): Hex {
  return toHex(pad(hexToBytes(address), { size: 32, dir: 'left' }))
}

/**
 * A fresh bearer secret for a "whoever I show this QR to" grant: 32 bytes from the platform's
 * CSPRNG, as lowercase hex. It travels only inside the QR (never on chain, never to a server
 * unencrypted) and is worth as much as the grant itself.
 *
 * @example
 * const secret = newBearerSecret() // '0x…' (66 characters)
 */
export function newBearerSecret(): Hex {
  return toHex(randomBytes(32))
}

/**
 * The grantee field for a bearer grant: `keccak256(secret)` over the secret's 32 raw bytes
 * (not its hex text). Solidity computes the same with `keccak256(abi.encodePacked(secret))`.
 *
 * @example
 * bearerGrantee(newBearerSecret()) // '0x…' (32 bytes)
 */
export function bearerGrantee(secret: Hex): Hex {
  if (!isBytes32(secret)) throw new InvalidGrantTermsError('the bearer secret', 'must be 32 bytes of hex')
  return keccak256(hexToBytes(secret), 'hex')
}

/**
 * The grantee field for the patient's choice (checks a typed address first).
 *
 * @example
 * encodeGrantee({ kind: 'bearer', secret: newBearerSecret() })
 */
export function encodeGrantee(choice: GranteeChoice): Hex {
  return choice.kind === 'address' ? addressGrantee(parseAddress(choice.address, 'grantee')) : bearerGrantee(choice.secret)
}

/**
 * The account a grantee field names, or undefined for a bearer grant. A field whose first 12
 * bytes are zero is read as an address; a bearer hash looks like that with probability 2^-96.
 *
 * @example
 * granteeAddress(addressGrantee(clinician)) // clinician
 */
export function granteeAddress(grantee: Hex): Address | undefined {
  if (!/^0x0{24}[0-9a-fA-F]{40}$/.test(grantee)) return undefined
  const address = getAddress(`0x${grantee.slice(26)}`)
  return address === zeroAddress ? undefined : address
}

/**
 * True when the secret is the one the bearer grantee field was made from.
 *
 * @example
 * bearerSecretMatches(terms.grantee, secretFromTheQr) // true for the QR's holder
 */
export function bearerSecretMatches(grantee: Hex, secret: Hex): boolean {
  return isBytes32(secret) && isBytes32(grantee) && bearerGrantee(secret) === normalizeBytes32(grantee)
}
