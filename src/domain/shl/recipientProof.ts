/**
 * An optional CareKey addition to the SMART Health Links manifest request: a recipient with a
 * wallet signs who they are for this one link, so the patient's access log can show a
 * verified address next to the name they typed. It rides in the request body as
 * `_recipientProof`; hosts that do not know it ignore it, so links stay plain SMART Health Links.
 *
 * EIP-712, domain `shareHostDomain(chainId, registry)`, primary type `RecipientProof`:
 *   manifestUrl string   the link's url, so the proof is worth nothing for another link
 *   recipient   string   the name sent as `recipient`, trimmed
 *   nonce       bytes32  random; the host refuses a nonce it has seen
 *   expiresAt   uint64   unix seconds; at most 10 minutes ahead
 */
import { z } from 'zod'
import { addressSchema, bytes32Schema } from '../hex.ts'
import type { Address, Hex } from 'viem'
import {
  DEFAULT_SIGNED_REQUEST_LIFETIME_S,
  newNonce,
  shareHostDomain,
  signatureSchema,
  unixSecondsSchema,
  type TypedDataSigner,
} from './signing.ts'

export const recipientProofTypes = {
  RecipientProof: [
    { name: 'manifestUrl', type: 'string' },
    { name: 'recipient', type: 'string' },
    { name: 'nonce', type: 'bytes32' },
    { name: 'expiresAt', type: 'uint64' },
  ],
} as const

export const recipientProofSchema = z.object({
  address: addressSchema,
  nonce: bytes32Schema,
  expiresAt: unixSecondsSchema,
  signature: signatureSchema,
})

/** The `_recipientProof` property of a manifest request. */
export type RecipientProof = z.infer<typeof recipientProofSchema>

/**
 * The typed data a recipient signs (and the host verifies) for a manifest request.
 *
 * @example
 * await recoverTypedDataAddress({ ...recipientProofTypedData({ ... }), signature })
 */
export function recipientProofTypedData(params: {
  chainId: number
  registry: Address
  manifestUrl: string
  recipient: string
  nonce: Hex
  expiresAt: number
}) {
  return {
    domain: shareHostDomain(params.chainId, params.registry),
    types: recipientProofTypes,
    primaryType: 'RecipientProof',
    message: {
      manifestUrl: params.manifestUrl,
      recipient: params.recipient.trim(),
      nonce: params.nonce,
      expiresAt: BigInt(params.expiresAt),
    },
  } as const
}

export type RecipientProofTypedData = ReturnType<typeof recipientProofTypedData>

/**
 * Signs a recipient proof for one manifest request with a fresh nonce.
 *
 * @example
 * const proof = await signRecipientProof(signer, { chainId, registry, manifestUrl: payload.url, recipient: 'Dr. Ada Lovelace' })
 * fetch(payload.url, { method: 'POST', body: JSON.stringify({ recipient: 'Dr. Ada Lovelace', _recipientProof: proof }) })
 */
export async function signRecipientProof(
  signer: TypedDataSigner<RecipientProofTypedData>,
  params: { chainId: number; registry: Address; manifestUrl: string; recipient: string; now?: number },
): Promise<RecipientProof> {
  const nonce = newNonce()
  const expiresAt = Math.floor((params.now ?? Date.now()) / 1000) + DEFAULT_SIGNED_REQUEST_LIFETIME_S
  const signature = await signer.signTypedData(recipientProofTypedData({ ...params, nonce, expiresAt }))
  return { address: signer.address, nonce, expiresAt, signature }
}
