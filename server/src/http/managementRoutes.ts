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
import { checkUploadedFiles, shareStatusView } from '../shares.ts'
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
    const grant = await ctx.grants.statusOf(request.patient, request.commitment)
    if (grant !== 'active') {
      return fail(c, 403, 'forbidden', `the patient has no active grant with this commitment on chain (it is ${grant})`)
    }
    const now = ctx.clock()
    if (request.expiresAt !== undefined && request.expiresAt * 1000 <= now) return fail(c, 400, 'invalid_request', 'expiresAt: must be in the future')
    const checked = checkUploadedFiles(ctx, request.files)
    if (!checked.ok) return fail(c, checked.status, checked.status === 413 ? 'payload_too_large' : 'invalid_request', checked.detail)

    const share: StoredShare = {
      format: 1,
      id: request.id,
      patient: request.patient,
      commitment: request.commitment,
      status: 'active',
      createdAt: now,
      updatedAt: now,
      ...(request.expiresAt !== undefined && { expiresAt: request.expiresAt }),
      ...(request.passcode !== undefined && { passcode: await hashPasscode(request.passcode, ctx.config.passcodeAttempts) }),
      files: checked.files.map((f) => f.meta),
    }
    // Files first, then the record that points at them: a crash in between leaves only unreferenced files.
    for (const file of checked.files) await ctx.store.writeFile(share.id, file.meta.id, file.jwe)
    if (!(await ctx.store.createShare(share))) {
      for (const file of checked.files) await ctx.store.deleteFile(share.id, file.meta.id)
      return fail(c, 409, 'share_exists', 'a share with this id exists; make a new id')
    }
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

    const id = authorized.share.id
    const updated = await ctx.queue.run(id, async () => {
      const share = await ctx.store.readShare(id)
      if (share?.status !== 'active') return undefined
      for (const file of checked.files) await ctx.store.writeFile(id, file.meta.id, file.jwe)
      const next: StoredShare = { ...share, files: checked.files.map((f) => f.meta), updatedAt: ctx.clock() }
      await ctx.store.writeShare(next)
      for (const old of share.files) await ctx.store.deleteFile(id, old.id)
      return next
    })
    if (!updated) return fail(c, 409, 'share_inactive', 'this share was deactivated; make a new one')
    return c.json(shareStatusView(updated, ctx.config.publicUrl))
  })

  app.delete('/api/shares/:id', emptyBodyLimit, async (c) => {
    const authorized = await authorize(ctx, c, 'deactivate-share', await c.req.text())
    if (!authorized.ok) return authorized.response
    const id = authorized.share.id
    const share = await ctx.queue.run(id, async () => {
      const current = (await ctx.store.readShare(id)) ?? authorized.share
      if (current.status !== 'active' && current.files.length === 0) return current
      const next: StoredShare = { ...current, status: current.status === 'active' ? 'deactivated' : current.status, files: [], updatedAt: ctx.clock() }
      await ctx.store.writeShare(next)
      for (const file of current.files) await ctx.store.deleteFile(id, file.id)
      return next
    })
    return c.json(shareStatusView(share, ctx.config.publicUrl))
  })

  app.get('/api/shares/:id/access-log', emptyBodyLimit, async (c) => {
    const authorized = await authorize(ctx, c, 'read-access-log', await c.req.text())
    if (!authorized.ok) return authorized.response
    const entries = await ctx.store.readAccessLog(authorized.share.id)
    const reply: ShareAccessLog = {
      share: shareStatusView(authorized.share, ctx.config.publicUrl),
      entries: entries.map((e) => ({
        at: new Date(e.at).toISOString(),
        recipient: e.recipient,
        outcome: e.outcome,
        ...(e.verifiedAddress && { verifiedAddress: e.verifiedAddress }),
      })),
    }
    c.header('Cache-Control', 'no-store')
    return c.json(reply)
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
