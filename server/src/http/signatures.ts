import { isAddressEqual, recoverTypedDataAddress, type Address, type Hex } from 'viem'
import {
  MAX_SIGNED_REQUEST_LIFETIME_S,
  recipientProofTypedData,
  shareRequestTypedData,
  type RecipientProof,
  type ShareAction,
  type ShareAuthorization,
} from '../../../src/domain/shl/index.ts'
import type { ShareStore } from '../storage/shareStore.ts'

/** Clocks differ a little between a phone and the host. */
const CLOCK_SKEW_S = 60

export type SignatureContext = {
  chainId: number
  registry: Address
  /** The host's public URL, part of every management signature. */
  host: string
  store: ShareStore
  clock: () => number
}

export type Verified = { ok: true; signer: Address } | { ok: false; detail: string }

/**
 * Checks a management request's signature before its body is read: the Authorization header
 * is fresh, and signs this action, share and host over the body hash it claims. The body is
 * compared with that hash once the signer may act (see managementAuth.ts), and the nonce is
 * claimed only then. Says nothing about whether the signer may act on the share.
 */
export async function verifyShareRequest(
  ctx: SignatureContext,
  auth: ShareAuthorization,
  request: { action: ShareAction; shareId: string },
): Promise<Verified> {
  const fresh = checkExpiry(auth.expiresAt, ctx.clock())
  if (fresh !== undefined) return { ok: false, detail: fresh }
  const typedData = shareRequestTypedData({
    chainId: ctx.chainId,
    registry: ctx.registry,
    action: request.action,
    host: ctx.host,
    shareId: request.shareId,
    bodyHash: auth.bodyHash,
    nonce: auth.nonce,
    expiresAt: auth.expiresAt,
  })
  if (!(await signedBy(auth.signer, { ...typedData, signature: auth.signature }))) {
    return { ok: false, detail: `the signature does not match this request and signer (it must be signed for host ${ctx.host}, chain ${ctx.chainId})` }
  }
  return { ok: true, signer: auth.signer }
}

/** Checks a recipient's proof for one manifest request and uses up its nonce. */
export async function verifyRecipientProof(
  ctx: SignatureContext,
  proof: RecipientProof,
  request: { manifestUrl: string; recipient: string },
): Promise<Verified> {
  const fresh = checkExpiry(proof.expiresAt, ctx.clock())
  if (fresh !== undefined) return { ok: false, detail: `recipient proof: ${fresh}` }
  const typedData = recipientProofTypedData({
    chainId: ctx.chainId,
    registry: ctx.registry,
    manifestUrl: request.manifestUrl,
    recipient: request.recipient,
    nonce: proof.nonce,
    expiresAt: proof.expiresAt,
  })
  if (!(await signedBy(proof.address, { ...typedData, signature: proof.signature }))) {
    return { ok: false, detail: 'recipient proof: the signature does not match this link, name and address' }
  }
  if (!(await ctx.store.claimNonce(proof.nonce, proof.expiresAt, ctx.clock()))) {
    return { ok: false, detail: 'recipient proof: this proof was used before' }
  }
  return { ok: true, signer: proof.address }
}

function checkExpiry(expiresAt: number, now: number): string | undefined {
  const nowS = now / 1000
  if (expiresAt <= nowS) return 'the signed request has expired; sign a new one'
  if (expiresAt > nowS + MAX_SIGNED_REQUEST_LIFETIME_S + CLOCK_SKEW_S) {
    return `the signed request must expire within ${MAX_SIGNED_REQUEST_LIFETIME_S} seconds`
  }
  return undefined
}

async function signedBy(
  signer: Address,
  parameters: Parameters<typeof recoverTypedDataAddress>[0] & { signature: Hex },
): Promise<boolean> {
  try {
    return isAddressEqual(await recoverTypedDataAddress(parameters), signer)
  } catch {
    // A signature that does not even recover (bad v, not on the curve) matches nobody.
    return false
  }
}
