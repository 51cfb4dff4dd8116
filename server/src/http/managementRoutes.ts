import { Hono } from 'hono'
import { isAddressEqual } from 'viem'
import {
  inspectShareGrant,
  MAX_SHARE_GRANT_LENGTH,
  newShareSchema,
  ShareGrantTooLargeError,
  ShareGrantUnreadableError,
  updateShareFilesSchema,
  type ShareAccessLog,
} from '../../../src/domain/shl/index.ts'
import { describeIssue, fail, parseJson, type HostContext } from '../context.ts'
import { hashPasscode } from '../passcode.ts'
import { accessLogReply, checkUploadedFiles, shareStatusView } from '../shares.ts'
import type { StoredShare } from '../storage/shareStore.ts'
import { authorizeManagement, authorizeNewShare } from './managementAuth.ts'
import { readSignedBody } from './signedBody.ts'

/** Requests without files (deactivate, read the log) have empty bodies. */
const MAX_EMPTY_BODY_BYTES = 1024

/**
 * Management of shares by the patient who granted them, each request signed (see
 * src/domain/shl/shareRequest.ts):
 *   POST   /api/shares                   create a share with its encrypted files (and grant)
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
    const grantPeriod = request.validFrom !== undefined && request.validUntil !== undefined ? { validFrom: request.validFrom, validUntil: request.validUntil } : undefined
    if (grantPeriod) {
      // The period the share states must be the grant's: the host serves it from its start.
      const grant = await ctx.grants.statusOf(request.patient, request.commitment, grantPeriod)
      if (grant !== 'active' && grant !== 'pending') {
        return fail(c, 403, 'forbidden', `the patient has no active grant with this commitment and period on chain (it is ${grant})`)
      }
    }
    if (!isAddressEqual(authorized.signer, request.patient)) return fail(c, 403, 'forbidden', 'the signer is not the patient of this share')
    const now = ctx.clock()
    if (request.expiresAt !== undefined && request.expiresAt * 1000 <= now) return fail(c, 400, 'invalid_request', 'expiresAt: must be in the future')
    const checked = checkUploadedFiles(ctx, request.files)
    if (!checked.ok) return fail(c, checked.status, checked.status === 413 ? 'payload_too_large' : 'invalid_request', checked.detail)
    const grant = request.grant?.trim()
    if (grant !== undefined) {
      try {
        // Only what a grant looks like from outside: the host cannot read it.
        inspectShareGrant(grant)
      } catch (error) {
        if (error instanceof ShareGrantTooLargeError) return fail(c, 413, 'payload_too_large', `grant: must be at most ${MAX_SHARE_GRANT_LENGTH} characters`)
        if (error instanceof ShareGrantUnreadableError) return fail(c, 400, 'invalid_request', `grant: ${error.problem}`)
        throw error
      }
    }

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
    const created = await ctx.store.createShare(share, checked.files, now, grant)
    if (created.kind === 'exists') return fail(c, 409, 'share_exists', 'a share with this id exists; make a new id')
    if (created.kind === 'over-quota') return fail(c, 403, 'quota_exceeded', created.detail)
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

    const { share } = authorized
    const updated = await ctx.store.replaceFiles(share.id, checked.files, ctx.clock())
    ctx.serving.forget(share.id)
    if (updated.kind === 'inactive') return fail(c, 409, 'share_inactive', 'this share was deactivated; make a new one')
    if (updated.kind === 'over-quota') return fail(c, 403, 'quota_exceeded', updated.detail)
    return c.json(shareStatusView(updated.share, ctx.config.publicUrl))
  })

  app.delete('/api/shares/:id', async (c) => {
    const authorized = await authorizeManagement(ctx, c, 'deactivate-share')
    if (!authorized.ok) return authorized.response
    const body = await readSignedBody(c, authorized.bodyHash, MAX_EMPTY_BODY_BYTES)
    if (!body.ok) return body.response
    const share = (await ctx.store.deactivateShare(authorized.share.id, ctx.clock())) ?? authorized.share
    ctx.serving.forget(share.id)
    return c.json(shareStatusView(share, ctx.config.publicUrl))
  })

  app.get('/api/shares/:id/access-log', async (c) => {
    const authorized = await authorizeManagement(ctx, c, 'read-access-log')
    if (!authorized.ok) return authorized.response
    const body = await readSignedBody(c, authorized.bodyHash, MAX_EMPTY_BODY_BYTES)
    if (!body.ok) return body.response
    const page = await ctx.store.readAccessLog(authorized.share.id)
    c.header('Cache-Control', 'no-store')
    return c.json(accessLogReply(authorized.share, page, ctx.config.publicUrl) satisfies ShareAccessLog)
  })

  return app
}

