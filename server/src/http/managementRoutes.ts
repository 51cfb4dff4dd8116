import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { isAddressEqual, type Address } from 'viem'
import {
  newShareSchema,
  SHARE_ID_PATTERN,
  updateShareFilesSchema,
  type ShareAccessLog,
  type ShareAction,
} from '../../../src/domain/shl/index.ts'
import { describeIssue, fail, parseJson, type HostContext } from '../context.ts'
import { hashPasscode } from '../passcode.ts'
import { accessLogReply, checkUploadedFiles, shareStatusView } from '../shares.ts'
import type { StoredShare } from '../storage/shareStore.ts'
import { verifyShareRequest } from './signatures.ts'

/** Requests without files (deactivate, read the log) have empty bodies. */
const MAX_EMPTY_BODY_BYTES = 1024

type Authorized = { ok: true; signer: Address; share: StoredShare } | { ok: false; response: Response }

/**
 * Management of shares by the patient who granted them, each request signed (see
 * src/domain/shl/shareRequest.ts):
 *   POST   /api/shares                   create a share with its encrypted files
 *   PUT    /api/shares/:id/files         replace its files
 *   DELETE /api/shares/:id               deactivate it (its files are deleted; the log stays)
 *   GET    /api/shares/:id/access-log    its status and access log
 */
export function managementRoutes(ctx: HostContext) {
  const app = new Hono()
  // Base64url JWE in JSON: the files' own size plus room for the rest of the body.
  const filesBodyLimit = bodyLimit({
    maxSize: ctx.config.maxShareBytes + 64 * 1024,
    onError: (c) => fail(c, 413, 'payload_too_large', `a share may hold ${ctx.config.maxShareBytes} bytes of files`),
  })
  const emptyBodyLimit = bodyLimit({ maxSize: MAX_EMPTY_BODY_BYTES, onError: (c) => fail(c, 413, 'payload_too_large') })

  app.post('/api/shares', filesBodyLimit, async (c) => {
    const body = await c.req.text()
    const parsed = newShareSchema.safeParse(parseJson(body))
    if (!parsed.success) return fail(c, 400, 'invalid_request', describeIssue(parsed.error))
    const request = parsed.data
    const verified = await verifyShareRequest(ctx.signatures, {
      authorization: c.req.header('authorization'),
      action: 'create-share',
      shareId: request.id,
      body,
    })
    if (!verified.ok) return fail(c, 401, 'unauthenticated', verified.detail)
    if (!isAddressEqual(verified.signer, request.patient)) return fail(c, 403, 'forbidden', 'the signer is not the patient of this share')
    const grantPeriod = request.validFrom !== undefined && request.validUntil !== undefined ? { validFrom: request.validFrom, validUntil: request.validUntil } : undefined
    const grant = await ctx.grants.statusOf(request.patient, request.commitment, grantPeriod)
    // A grant that starts later may be shared now; the host serves it from its start.
    if (grant !== 'active' && grant !== 'pending') {
      return fail(c, 403, 'forbidden', `the patient has no active grant with this commitment${grantPeriod ? ' and period' : ''} on chain (it is ${grant})`)
    }
    const now = ctx.clock()
    if (request.expiresAt !== undefined && request.expiresAt * 1000 <= now) return fail(c, 400, 'invalid_request', 'expiresAt: must be in the future')
    const checked = checkUploadedFiles(ctx, request.files)
    if (!checked.ok) return fail(c, checked.status, checked.status === 413 ? 'payload_too_large' : 'invalid_request', checked.detail)

    const share: StoredShare = {
      id: request.id,
      patient: request.patient,
      commitment: request.commitment,
      ...(grantPeriod && { grantPeriod }),
      status: 'active',
      createdAt: now,
      updatedAt: now,
      ...(request.expiresAt !== undefined && { expiresAt: request.expiresAt }),
      ...(request.passcode !== undefined && { passcode: await hashPasscode(request.passcode, ctx.config.passcodeAttempts) }),
      files: checked.files.map((f) => f.meta),
    }
    // The record and its files in one transaction: a crash or a dropped database leaves neither.
    const created = await ctx.store.createShare(share, checked.files, now)
    if (created.kind === 'exists') return fail(c, 409, 'share_exists', 'a share with this id exists; make a new id')
    if (created.kind === 'over-quota') return fail(c, 403, 'quota_exceeded', created.detail)
    return c.json(shareStatusView(share, ctx.config.publicUrl), 201)
  })

  app.put('/api/shares/:id/files', filesBodyLimit, async (c) => {
    const body = await c.req.text()
    const authorized = await authorize(ctx, c, 'update-files', body)
    if (!authorized.ok) return authorized.response
    const parsed = updateShareFilesSchema.safeParse(parseJson(body))
    if (!parsed.success) return fail(c, 400, 'invalid_request', describeIssue(parsed.error))
    const checked = checkUploadedFiles(ctx, parsed.data.files)
    if (!checked.ok) return fail(c, checked.status, checked.status === 413 ? 'payload_too_large' : 'invalid_request', checked.detail)

    const { share } = authorized
    // New files only while the grant behind them holds: a revoked or ended grant shares nothing more.
    const grant = await ctx.grants.statusOf(share.patient, share.commitment, share.grantPeriod)
    if (grant !== 'active' && grant !== 'pending') {
      return fail(c, 409, 'grant_inactive', `the grant behind this share is ${grant}; its files can no longer change`)
    }
    const updated = await ctx.store.replaceFiles(share.id, checked.files, ctx.clock())
    if (updated.kind === 'inactive') return fail(c, 409, 'share_inactive', 'this share was deactivated; make a new one')
    if (updated.kind === 'over-quota') return fail(c, 403, 'quota_exceeded', updated.detail)
    return c.json(shareStatusView(updated.share, ctx.config.publicUrl))
  })

  app.delete('/api/shares/:id', emptyBodyLimit, async (c) => {
    const authorized = await authorize(ctx, c, 'deactivate-share', await c.req.text())
    if (!authorized.ok) return authorized.response
    const share = (await ctx.store.deactivateShare(authorized.share.id, ctx.clock())) ?? authorized.share
    return c.json(shareStatusView(share, ctx.config.publicUrl))
  })

  app.get('/api/shares/:id/access-log', emptyBodyLimit, async (c) => {
    const authorized = await authorize(ctx, c, 'read-access-log', await c.req.text())
    if (!authorized.ok) return authorized.response
    const page = await ctx.store.readAccessLog(authorized.share.id)
    c.header('Cache-Control', 'no-store')
    return c.json(accessLogReply(authorized.share, page, ctx.config.publicUrl) satisfies ShareAccessLog)
  })

  return app
}

/**
 * A signed request about an existing share: the signature must be good and fresh, and the
 * signer must be the share's patient, who recorded its grant (statusOfCommitment is not
 * Unknown for them). A revoked or expired grant still lets its patient deactivate the share
 * and read its log.
 */
async function authorize(ctx: HostContext, c: Context, action: ShareAction, body: string): Promise<Authorized> {
  const id = c.req.param('id') ?? ''
  const verified = await verifyShareRequest(ctx.signatures, { authorization: c.req.header('authorization'), action, shareId: id, body })
  if (!verified.ok) return { ok: false, response: fail(c, 401, 'unauthenticated', verified.detail) }
  // Only after the signature: strangers learn nothing about which shares exist.
  const share = SHARE_ID_PATTERN.test(id) ? await ctx.store.readShare(id) : undefined
  if (!share) return { ok: false, response: fail(c, 404, 'not_found') }
  if (!isAddressEqual(share.patient, verified.signer)) return { ok: false, response: fail(c, 403, 'forbidden', 'the signer is not the patient of this share') }
  if ((await ctx.grants.statusOf(verified.signer, share.commitment)) === 'unknown') {
    return { ok: false, response: fail(c, 403, 'forbidden', 'the signer never recorded the grant behind this share') }
  }
  return { ok: true, signer: verified.signer, share }
}
