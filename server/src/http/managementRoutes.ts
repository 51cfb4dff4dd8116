import { Hono } from 'hono'
import { isAddressEqual } from 'viem'
import { newShareSchema, updateShareFilesSchema, type ShareAccessLog } from '../../../src/domain/shl/index.ts'
import { describeIssue, fail, parseJson, type HostContext } from '../context.ts'
import { hashPasscode } from '../passcode.ts'
import { checkUploadedFiles, shareStatusView } from '../shares.ts'
import type { StoredShare } from '../storage/shareStore.ts'
import { authorizeManagement, authorizeNewShare } from './managementAuth.ts'
import { readSignedBody } from './signedBody.ts'

/** Requests without files (deactivate, read the log) have empty bodies. */
const MAX_EMPTY_BODY_BYTES = 1024

/**
 * Management of shares by the patient who granted them, each request signed (see
 * src/domain/shl/shareRequest.ts):
 *   POST   /api/shares                   create a share with its encrypted files
 *   PUT    /api/shares/:id/files         replace its files
 *   DELETE /api/shares/:id               deactivate it (its files are deleted; the log stays)
 *   GET    /api/shares/:id/access-log    its status and access log
 * Each one is authorized from its Authorization header first; the body is read (and checked
 * against the signed hash) only for a signer who may act.
 */
export function managementRoutes(ctx: HostContext) {
  const app = new Hono()
  // Base64url JWE in JSON: the files' own size plus room for the rest of the body.
  const maxFilesBodyBytes = ctx.config.maxShareBytes + 64 * 1024

  app.post('/api/shares', async (c) => {
    const authorized = await authorizeNewShare(ctx, c)
    if (!authorized.ok) return authorized.response
    const body = await readSignedBody(c, authorized.bodyHash, maxFilesBodyBytes)
    if (!body.ok) return body.response
    const parsed = newShareSchema.safeParse(parseJson(body.text))
    if (!parsed.success) return fail(c, 400, 'invalid_request', describeIssue(parsed.error))
    const request = parsed.data
    if (request.id !== authorized.shareId || request.commitment !== authorized.commitment) {
      return fail(c, 400, 'invalid_request', 'the body must name the shareId and commitment of its Authorization header')
    }
    if (!isAddressEqual(authorized.signer, request.patient)) return fail(c, 403, 'forbidden', 'the signer is not the patient of this share')
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

  app.put('/api/shares/:id/files', async (c) => {
    const authorized = await authorizeManagement(ctx, c, 'update-files')
    if (!authorized.ok) return authorized.response
    const body = await readSignedBody(c, authorized.bodyHash, maxFilesBodyBytes)
    if (!body.ok) return body.response
    const parsed = updateShareFilesSchema.safeParse(parseJson(body.text))
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

  app.delete('/api/shares/:id', async (c) => {
    const authorized = await authorizeManagement(ctx, c, 'deactivate-share')
    if (!authorized.ok) return authorized.response
    const body = await readSignedBody(c, authorized.bodyHash, MAX_EMPTY_BODY_BYTES)
    if (!body.ok) return body.response
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

  app.get('/api/shares/:id/access-log', async (c) => {
    const authorized = await authorizeManagement(ctx, c, 'read-access-log')
    if (!authorized.ok) return authorized.response
    const body = await readSignedBody(c, authorized.bodyHash, MAX_EMPTY_BODY_BYTES)
    if (!body.ok) return body.response
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

