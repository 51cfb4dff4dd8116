/**
 * What the share host's signed requests have in common: the EIP-712 domain, nonces and
 * expiry. Management requests (shareRequest.ts) and recipient proofs (recipientProof.ts) are
 * two primary types under this one domain, so a signature for one is never valid for the other.
 */
import { z } from 'zod'
import { bytesToHex, type Address, type Hex } from 'viem'
import { randomBytes } from '../crypto/bytes.ts'

export const SHARE_HOST_EIP712_NAME = 'CareKey Share Host'
export const SHARE_HOST_EIP712_VERSION = '1'

/** A signed request is valid for at most this long, so the host forgets its nonce after that. */
export const MAX_SIGNED_REQUEST_LIFETIME_S = 600
/** How long before its expiry a client sets a signed request to lapse by default. */
export const DEFAULT_SIGNED_REQUEST_LIFETIME_S = 300

/**
 * The EIP-712 domain of the share host on one chain: bound to the ConsentRegistry the grants
 * live in, so a signature made for another chain or registry is worthless here.
 *
 * @example
 * shareHostDomain(31337, '0x5FbDB2315678afecb367f032d93F642f64180aa3')
 */
export function shareHostDomain(chainId: number, registry: Address) {
  return {
    name: SHARE_HOST_EIP712_NAME,
    version: SHARE_HOST_EIP712_VERSION,
    chainId,
    verifyingContract: registry,
  } as const
}

/**
 * Whatever signs EIP-712 typed data for an address: a viem account
 * (`{ address: account.address, signTypedData: (d) => account.signTypedData(d) }`) or wagmi
 * (`{ address, signTypedData: (d) => signTypedDataAsync(d) }`).
 */
export type TypedDataSigner<TypedData> = {
  address: Address
  signTypedData: (typedData: TypedData) => Promise<Hex>
}

/**
 * A fresh 32-byte nonce, hex.
 *
 * @example
 * newNonce() // '0x3f9c…' (66 characters)
 */
export function newNonce(): Hex {
  return bytesToHex(randomBytes(32))
}

/** 65-byte signatures, or 64-byte compact ones (ERC-2098). */
export const signatureSchema = z
  .string()
  .regex(/^0x([0-9a-fA-F]{128}|[0-9a-fA-F]{130})$/, 'must be a 64- or 65-byte signature in hex')
  .transform((h) => h as Hex)
export const unixSecondsSchema = z.int().min(1).max(2 ** 53 - 1)
