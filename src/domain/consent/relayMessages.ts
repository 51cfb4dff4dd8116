import { getAddress, isAddress, type Address, type Hex } from 'viem'
import { z } from 'zod'
import { isBytes32 } from '../hex.ts'

/**
 * The sponsor relay's wire format (`POST /api/relay/grant`, `POST /api/relay/revoke` at the
 * share host), shared by the host, which parses requests, and the app's client, which parses
 * replies. Times are unix seconds as JSON numbers; hex is 0x-prefixed.
 *
 * The request names the chain, the registry and the patient (the per-grant address) that the
 * app signed for. All of it is public on chain once the grant is recorded; the relay uses it
 * to refuse a signature made for another chain or registry, or by another key, before it
 * spends any gas.
 */

const addressSchema = z
  .string()
  .refine((a) => isAddress(a, { strict: false }), 'must be a 0x-prefixed 20-byte address')
  .transform((a) => getAddress(a))
const bytes32Schema = z.string().refine(isBytes32, 'must be 32 bytes of 0x-prefixed hex').transform((h) => h as Hex)
const signatureSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{130}$/, 'must be a 65-byte signature in 0x-prefixed hex')
  .transform((h) => h as Hex)
/** uint64 seconds that a JSON number carries exactly. */
const secondsSchema = z.int().min(0).max(Number.MAX_SAFE_INTEGER)

const relayTargetSchema = {
  chainId: z.int().positive(),
  registry: addressSchema,
  patient: addressSchema,
}

/** `POST /api/relay/grant`: a grant signed by its per-grant key (`grantTypedData`). */
export const relayGrantRequestSchema = z.strictObject({
  ...relayTargetSchema,
  commitment: bytes32Schema,
  validUntil: secondsSchema,
  deadline: secondsSchema,
  signature: signatureSchema,
})
/** What the app sends: the wire shape of relayGrantRequestSchema. */
export type RelayGrantRequest = {
  chainId: number
  registry: Address
  /** The per-grant address that signed. */
  patient: Address
  commitment: Hex
  /** Unix seconds. */
  validUntil: number
  /** Unix seconds. */
  deadline: number
  /** 65 bytes, as signTypedData returns it. */
  signature: Hex
}
export type ParsedRelayGrantRequest = z.output<typeof relayGrantRequestSchema>

/** `POST /api/relay/revoke`: a revoke signed by the grant's key (`revokeTypedData`). */
export const relayRevokeRequestSchema = z.strictObject({
  ...relayTargetSchema,
  commitment: bytes32Schema,
  deadline: secondsSchema,
  signature: signatureSchema,
})
/** What the app sends: the wire shape of relayRevokeRequestSchema. */
export type RelayRevokeRequest = Omit<RelayGrantRequest, 'validUntil'>
export type ParsedRelayRevokeRequest = z.output<typeof relayRevokeRequestSchema>

/** The relay's reply once the transaction is mined and succeeded. */
export const relayReceiptSchema = z.object({
  transactionHash: bytes32Schema,
  blockNumber: z.int().min(0),
  patient: addressSchema,
})
export type RelayReceipt = { transactionHash: Hex; blockNumber: number; patient: Address }

/**
 * Every refusal of the relay, as the `error` field of its reply. Stable: the app maps each to
 * words for the patient.
 */
export const RELAY_ERROR_CODES = [
  /** The host has no sponsor key configured (503). */
  'relay-disabled',
  /** The body is not JSON or not the shape above (400). */
  'invalid-request',
  /** Not a grantBySig or revokeBySig call to the registry: an unknown relay route (400). */
  'not-a-registry-call',
  /** The request names another chain or registry than the host relays to (400). */
  'wrong-chain-or-registry',
  /** The signature is malformed, malleated, or was not made by `patient` for this message (400). */
  'invalid-signature',
  /** The signature's deadline has passed (400). */
  'deadline-passed',
  /** The grant's end of validity is not in the future (400). */
  'validity-ended',
  /** The commitment is zero (400). */
  'empty-commitment',
  /** This patient already recorded this commitment (409). */
  'already-recorded',
  /** The grant to revoke was never recorded by this patient (409). */
  'unknown-grant',
  /** The grant was already revoked (409). */
  'already-revoked',
  /** Too many requests from this client; Retry-After says when to try again (429). */
  'rate-limited',
  /** The sponsor spent its gas for today; Retry-After says when the day ends (429). */
  'daily-gas-limit',
  /** The sponsor cannot pay for the transaction (503). */
  'sponsor-out-of-funds',
  /** The chain did not answer (503). */
  'chain-unavailable',
  /** Another share host is sending with this sponsor account right now; Retry-After says when to try again (503). */
  'sponsor-busy',
  /** The transaction was sent but not mined in time; it may still be (504). Ask the chain before retrying. */
  'not-confirmed',
] as const
export type RelayErrorCode = (typeof RELAY_ERROR_CODES)[number]

/** True for a code of the list above. */
export function isRelayErrorCode(code: string): code is RelayErrorCode {
  return (RELAY_ERROR_CODES as readonly string[]).includes(code)
}
