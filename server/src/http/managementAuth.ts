import type { Context } from 'hono'
import { isAddressEqual, type Address, type Hex } from 'viem'
import { parseShareAuthorization, SHARE_ID_PATTERN, type ShareAction, type ShareAuthorization } from '../../../src/domain/shl/index.ts'
import { fail, type HostContext } from '../context.ts'
import { checkQuota, type StoredShare } from '../storage/shareStore.ts'
import { verifyShareRequest } from './signatures.ts'

type Refused = { ok: false; response: Response }

/** A signed request about an existing share, from its patient, who may act on it now. */
export type AuthorizedRequest = { ok: true; signer: Address; bodyHash: Hex; share: StoredShare }

/** A signed request for a new share, from a patient whose grant is active. */
export type AuthorizedNewShare = { ok: true; signer: Address; bodyHash: Hex; shareId: string; commitment: Hex }

/** A new share's JSON around its files: the id, the addresses, the dates, a passcode. */
const BODY_OVERHEAD_BYTES = 64 * 1024

const UNSIGNED = 'the request needs an Authorization: CareKey … header signed by the patient'

/**
 * Decides, from the Authorization header alone, whether a request about an existing share may
 * go on: the signature must be good and fresh over the body hash it claims, the signer must be
 * the share's patient, and their grant must be active for `update-files` and at least recorded
 * for the others (a revoked or expired grant still lets its patient deactivate the share and
 * read its log). Only then is the nonce used up, so a refused request leaves nothing behind.
 * The body is not read here: the caller reads it with readSignedBody and the returned hash.
 *
 * @example
 * const authorized = await authorizeManagement(ctx, c, 'deactivate-share')
 * if (!authorized.ok) return authorized.response
 */
export async function authorizeManagement(
  ctx: HostContext,
  c: Context,
  action: Exclude<ShareAction, 'create-share'>,
): Promise<AuthorizedRequest | Refused> {
  const id = c.req.param('id') ?? ''
  const auth = parseShareAuthorization(c.req.header('authorization'))
  if (!auth) return refuse(c, 401, 'unauthenticated', UNSIGNED)
  const verified = await verifyShareRequest(ctx.signatures, auth, { action, shareId: id })
  if (!verified.ok) return refuse(c, 401, 'unauthenticated', verified.detail)
  // Only after the signature: strangers learn nothing about which shares exist.
  const share = SHARE_ID_PATTERN.test(id) ? await ctx.store.readShare(id) : undefined
  if (!share) return refuse(c, 404, 'not_found')
  if (!isAddressEqual(share.patient, verified.signer)) return refuse(c, 403, 'forbidden', 'the signer is not the patient of this share')
  const grant = await ctx.grants.statusOf(verified.signer, share.commitment, share.grantPeriod)
  if (grant === 'unknown') return refuse(c, 403, 'forbidden', 'the signer never recorded the grant behind this share')
  // New files only while the grant behind them holds: a revoked or ended grant shares nothing more.
  if (action === 'update-files' && grant !== 'active' && grant !== 'pending') {
    return refuse(c, 409, 'grant_inactive', `the grant behind this share is ${grant}; its files can no longer change`)
  }
  const replay = await claimNonce(ctx, c, auth)
  if (replay) return replay
  return { ok: true, signer: verified.signer, bodyHash: auth.bodyHash, share }
}

/**
 * The same decision for `create-share`, whose header names the new share's id and its grant's
 * commitment: the signature must be good and fresh, and the signer's grant with that
 * commitment active on chain. The caller then checks that the body says the same.
 *
 * @example
 * const authorized = await authorizeNewShare(ctx, c)
 * if (!authorized.ok) return authorized.response
 */
export async function authorizeNewShare(ctx: HostContext, c: Context): Promise<AuthorizedNewShare | Refused> {
  const auth = parseShareAuthorization(c.req.header('authorization'))
  if (!auth) return refuse(c, 401, 'unauthenticated', UNSIGNED)
  const { shareId, commitment } = auth
  if (shareId === undefined || commitment === undefined) {
    return refuse(c, 401, 'unauthenticated', 'the Authorization header of a new share must name its shareId and commitment')
  }
  const verified = await verifyShareRequest(ctx.signatures, auth, { action: 'create-share', shareId })
  if (!verified.ok) return refuse(c, 401, 'unauthenticated', verified.detail)
  const grant = await ctx.grants.statusOf(verified.signer, commitment)
  if (grant !== 'active') return refuse(c, 403, 'forbidden', `the patient has no active grant with this commitment on chain (it is ${grant})`)
  // The quota, before a byte of the upload is read (and again, exactly, when it is stored).
  const declared = Number(c.req.header('content-length') ?? 0)
  const overQuota = checkQuota(ctx.config.quota, await ctx.store.usage(verified.signer, commitment, ctx.clock()), {
    shares: 1,
    bytes: Number.isFinite(declared) ? Math.max(0, declared - BODY_OVERHEAD_BYTES) : 0,
  })
  if (overQuota) return refuse(c, 403, 'quota_exceeded', overQuota.detail)
  const replay = await claimNonce(ctx, c, auth)
  if (replay) return replay
  return { ok: true, signer: verified.signer, bodyHash: auth.bodyHash, shareId, commitment }
}

async function claimNonce(ctx: HostContext, c: Context, auth: ShareAuthorization): Promise<Refused | undefined> {
  if (await ctx.store.claimNonce(auth.nonce, auth.expiresAt, ctx.clock())) return undefined
  return refuse(c, 401, 'unauthenticated', 'this signed request was used before')
}

function refuse(c: Context, status: 401 | 403 | 404 | 409, error: string, detail?: string): Refused {
  return { ok: false, response: fail(c, status, error, detail) }
}
