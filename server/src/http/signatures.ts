import { isAddressEqual, recoverTypedDataAddress, type Address, type Hex } from 'viem'
import {
  MAX_SIGNED_REQUEST_LIFETIME_S,
  recipientProofTypedData,
  shareRequestTypedData,
  type RecipientProof,
  type ShareAction,
  type ShareAuthorization,
} from '../../../src/domain/shl/index.ts'
import {
  BACKUP_EIP712_NAME,
  BACKUP_ID_PATTERN,
  backupIdOf,
  backupRequestTypedData,
  type BackupAction,
  type BackupAuthorization,
} from '../../../src/domain/backup/hostBackup.ts'
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

/** 401: the request is stale or not for this host at all; 403: signed, but not by the backup's key. */
export type VerifiedBackupRequest = { ok: true } | { ok: false; status: 401 | 403; detail: string }

/**
 * Checks a backup request's signature before its body is read: the Authorization header is
 * fresh (the same window as share requests), and the key that signed this action, host,
 * backup id, version and `previous` over the claimed body hash is the backup's own: a backup's
 * id is its signing key's lowercase address. The nonce is claimed by the caller afterwards.
 */
export async function verifyBackupRequest(
  ctx: SignatureContext,
  auth: BackupAuthorization,
  request: { action: BackupAction; backupId: string; version?: number },
): Promise<VerifiedBackupRequest> {
  const fresh = checkExpiry(auth.expiresAt, ctx.clock())
  if (fresh !== undefined) return { ok: false, status: 401, detail: fresh }
  const notTheBackupsKey = {
    ok: false,
    status: 403,
    detail:
      `the request is not signed by this backup's key: a backup's id is the lowercase address of the key that signs its requests ` +
      `(EIP-712 "${BACKUP_EIP712_NAME}" for host ${ctx.host}, this action, version and body)`,
  } as const
  if (!BACKUP_ID_PATTERN.test(request.backupId)) return notTheBackupsKey
  const typedData = backupRequestTypedData(ctx.host, {
    action: request.action,
    backupId: request.backupId,
    ...(request.version !== undefined && { version: request.version }),
    ...(request.action === 'put-backup' && auth.previous !== undefined && { previous: auth.previous }),
    bodyHash: auth.bodyHash,
    nonce: auth.nonce,
    expiresAt: auth.expiresAt,
  })
  try {
    const signer = await recoverTypedDataAddress({ ...typedData, signature: auth.signature })
    return backupIdOf(signer) === request.backupId ? { ok: true } : notTheBackupsKey
  } catch {
    // A signature that does not even recover (bad v, not on the curve) is nobody's.
    return notTheBackupsKey
  }
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
