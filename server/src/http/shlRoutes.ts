import { Hono, type Context } from 'hono'
import type { Address } from 'viem'
import { bodyLimit } from 'hono/body-limit'
import {
  manifestRequestSchema,
  manifestUrlFor,
  MAX_RECIPIENT_LENGTH,
  SHARE_ID_PATTERN,
  SHARE_LOCKED_ERROR,
} from '../../../src/domain/shl/index.ts'
import { describeIssue, fail, parseJson, type HostContext } from '../context.ts'
import { passcodeMatches } from '../passcode.ts'
import { verifyRecipientProof } from './signatures.ts'
import { buildManifest, isServable, recordAccess } from '../shares.ts'
import { FILE_ID_PATTERN, type StoredPasscode, type StoredShare } from '../storage/shareStore.ts'

/** A manifest request is a name, a passcode, a number and perhaps a signature: a few hundred bytes. */
const MAX_MANIFEST_REQUEST_BYTES = 16 * 1024

type PasscodeVerdict = { kind: 'open'; share: StoredShare } | { kind: 'gone' } | { kind: 'wrong'; remainingAttempts: number }

/**
 * The SMART Health Links side of the host, open to any viewer:
 *   POST /shl/:id                       manifest request
 *   GET  /shl/:id?recipient=…           the single file, for links with flag U
 *   GET  /shl/:id/files/:file?exp&sig   a file at its short-lived location
 *   GET  /shl/:id/grant                 CareKey's grant behind the share (src/domain/shl/shareGrant.ts)
 */
export function shlRoutes(ctx: HostContext) {
  const app = new Hono()

  app.post(
    '/shl/:id',
    bodyLimit({ maxSize: MAX_MANIFEST_REQUEST_BYTES, onError: (c) => fail(c, 413, 'payload_too_large') }),
    async (c) => {
      const id = c.req.param('id')
      if (!SHARE_ID_PATTERN.test(id)) return fail(c, 404, 'not_found')
      const parsed = manifestRequestSchema.safeParse(parseJson(await c.req.text()))
      if (!parsed.success) return fail(c, 400, 'invalid_request', describeIssue(parsed.error))
      const request = parsed.data

      const active = await activeShare(ctx, id)
      if (!active) return notAvailable(c, ctx, id)

      let share = active
      if (share.passcode) {
        const verdict = await checkPasscode(ctx, { ...share, passcode: share.passcode }, request)
        if (verdict.kind === 'gone') return notAvailable(c, ctx, id)
        if (verdict.kind === 'wrong') {
          return fail(c, 401, 'wrong_passcode', 'the passcode is missing or wrong', { remainingAttempts: verdict.remainingAttempts })
        }
        share = verdict.share
      }

      let verifiedAddress: Address | undefined
      if (request._recipientProof) {
        const verified = await verifyRecipientProof(ctx.signatures, request._recipientProof, {
          manifestUrl: manifestUrlFor(ctx.config.publicUrl, id),
          recipient: request.recipient,
        })
        if (!verified.ok) return fail(c, 400, 'invalid_recipient_proof', verified.detail)
        verifiedAddress = verified.signer
      }

      const manifest = await buildManifest(ctx, share, request.embeddedLengthMax)
      await recordAccess(ctx, id, { recipient: request.recipient, outcome: 'opened', ...(verifiedAddress && { verifiedAddress }) })
      c.header('Cache-Control', 'no-store')
      return c.json(manifest)
    },
  )

  app.get('/shl/:id', async (c) => {
    const id = c.req.param('id')
    if (!SHARE_ID_PATTERN.test(id)) return fail(c, 404, 'not_found')
    const recipient = c.req.query('recipient')?.trim()
    if (!recipient || recipient.length > MAX_RECIPIENT_LENGTH) {
      return fail(c, 400, 'invalid_request', `recipient: a name of 1 to ${MAX_RECIPIENT_LENGTH} characters is required`)
    }
    const share = await activeShare(ctx, id)
    if (!share) return fail(c, 404, 'not_found')
    const [file] = share.files
    // Flag U is for one file and never with a passcode: any other share is read with POST.
    if (share.passcode || share.files.length !== 1 || !file) {
      c.header('Allow', 'POST')
      return fail(c, 405, 'method_not_allowed', 'this link needs a manifest request (POST)')
    }
    const jwe = await ctx.serving.file(id, file.id)
    if (jwe === undefined) return fail(c, 404, 'not_found')
    await recordAccess(ctx, id, { recipient, outcome: 'opened' })
    return joseReply(c, jwe)
  })

  // The grant, encrypted under the link's key, for a viewer to check the consent on chain before
  // it asks for the passcode: no passcode, no log entry, and whatever the share's status, so that
  // an old link can still be told its consent was revoked. Those who can read it hold the link.
  app.get('/shl/:id/grant', async (c) => {
    const id = c.req.param('id')
    if (!SHARE_ID_PATTERN.test(id)) return fail(c, 404, 'not_found')
    const grant = await ctx.store.readGrant(id)
    if (grant === undefined) return fail(c, 404, 'not_found')
    return joseReply(c, grant)
  })

  app.get('/shl/:id/files/:file', async (c) => {
    const id = c.req.param('id')
    const fileId = c.req.param('file')
    if (!SHARE_ID_PATTERN.test(id) || !FILE_ID_PATTERN.test(fileId)) return fail(c, 404, 'not_found')
    const check = await ctx.locations.check(id, fileId, c.req.query('exp'), c.req.query('sig'), ctx.clock())
    if (check === 'expired') return fail(c, 404, 'location_expired', 'this file URL has expired; request the manifest again')
    if (check === 'invalid') return fail(c, 404, 'not_found')
    // A revocation or deactivation also ends locations handed out before it.
    const share = await activeShare(ctx, id)
    if (!share?.files.some((f) => f.id === fileId)) return fail(c, 404, 'not_found')
    const jwe = await ctx.serving.file(id, fileId)
    if (jwe === undefined) return fail(c, 404, 'not_found')
    return joseReply(c, jwe)
  })

  return app
}

/**
 * The 404 of a manifest request the host does not serve: `share_locked` for a link locked by
 * too many wrong passcodes (its viewer then tells the clinician that only a new QR code helps),
 * `not_found` for anything else. Whoever holds the link learns no more than that.
 */
async function notAvailable(c: Context, ctx: HostContext, id: string) {
  const share = await ctx.store.readShare(id)
  return share?.status === 'locked'
    ? fail(c, 404, SHARE_LOCKED_ERROR, 'too many wrong passcodes: this link is locked for good')
    : fail(c, 404, 'not_found')
}

/** The share, if the host may serve it now and its grant is active on chain (started, not ended or revoked). */
async function activeShare(ctx: HostContext, id: string): Promise<StoredShare | undefined> {
  const share = await ctx.serving.share(id)
  if (!share || !isServable(share, ctx.clock())) return undefined
  const status = await ctx.grants.statusOf(share.patient, share.commitment, share.grantPeriod)
  return status === 'active' ? share : undefined
}

/**
 * Checks a passcode. A wrong one is counted in the database in one statement, so that the
 * lifetime count stays exact under parallel guesses on any number of hosts: exactly
 * `allowed` guesses are answered 401, and every later request 404, the right passcode too.
 */
async function checkPasscode(
  ctx: HostContext,
  share: StoredShare & { passcode: StoredPasscode },
  request: { recipient: string; passcode?: string | undefined },
): Promise<PasscodeVerdict> {
  const { passcode } = share
  // No passcode at all is not a guess: it does not count.
  if (request.passcode === undefined) return { kind: 'wrong', remainingAttempts: passcode.allowed - passcode.failures }
  if (await passcodeMatches(request.passcode, passcode)) {
    // Guesses elsewhere may have locked the share while the hash was computed.
    const current = await ctx.store.readShare(share.id)
    return current && isServable(current, ctx.clock()) ? { kind: 'open', share: current } : { kind: 'gone' }
  }
  const counted = await ctx.store.recordWrongPasscode(share.id, { at: ctx.clock(), recipient: request.recipient, outcome: 'wrong-passcode' })
  ctx.serving.forget(share.id)
  return counted ? { kind: 'wrong', remainingAttempts: counted.remainingAttempts } : { kind: 'gone' }
}

function joseReply(c: Context, jwe: string) {
  c.header('Content-Type', 'application/jose')
  c.header('Cache-Control', 'no-store')
  return c.body(jwe)
}
