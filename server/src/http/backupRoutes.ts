import { Hono, type Context } from 'hono'
import type { BackupConflict, BackupList, BackupVersion } from '../../../src/domain/backup/hostBackup.ts'
import { fail, type HostContext } from '../context.ts'
import type { StoredBackupVersion } from '../storage/shareStore.ts'
import { authorizeBackupRequest } from './backupAuth.ts'
import { rateLimit } from './rateLimit.ts'
import { declaredLength, readSignedBytes } from './signedBody.ts'

/** Requests other than an upload have empty bodies. */
const MAX_EMPTY_BODY_BYTES = 1024

/** The SHA-256 of a version's bytes, sent with them (the list says it too). */
export const BACKUP_SHA256_HEADER = 'CareKey-Backup-Sha256'

const VERSION_PARAM = /^[1-9][0-9]{0,14}$/

/**
 * Wallets' encrypted online backups (the protocol: src/domain/backup/hostBackup.ts), each
 * request signed by the backup's own key, whose address is the backup's id:
 *   GET    /api/backups/:id                    its versions, newest first
 *   GET    /api/backups/:id/versions/:version  one version's bytes
 *   PUT    /api/backups/:id                    a new version, if `previous` is the newest one's SHA-256
 *   DELETE /api/backups/:id                    every version
 * The host keeps the bytes (ciphertext), their size, hash and time of upload, nothing more, and
 * never logs a backup's id.
 */
export function backupRoutes(ctx: HostContext) {
  const app = new Hono()
  const { maxBytes, versionsKept, rateLimitPerMinute } = ctx.config.backups

  app.use(
    '/api/backups/*',
    rateLimit({
      perMinute: rateLimitPerMinute,
      trustedProxyHops: ctx.config.trustedProxyHops,
      clock: ctx.clock,
      refusal: { error: 'rate_limited', detail: 'too many backup requests from this address; try again later' },
    }),
  )

  app.get('/api/backups/:id', async (c) => {
    const authorized = await authorizeBackupRequest(ctx, c, 'list-backups')
    if (!authorized.ok) return authorized.response
    const body = await readSignedBytes(c, authorized.bodyHash, MAX_EMPTY_BODY_BYTES)
    if (!body.ok) return body.response
    const versions = await ctx.store.listBackupVersions(authorized.backupId)
    c.header('Cache-Control', 'no-store')
    return c.json({ versions: versions.map(backupVersionView), versionsKept, maxBytes } satisfies BackupList)
  })

  app.get('/api/backups/:id/versions/:version', async (c) => {
    const param = c.req.param('version')
    if (!VERSION_PARAM.test(param)) return fail(c, 404, 'not_found', 'a backup version is a whole number from 1')
    const version = Number(param)
    const authorized = await authorizeBackupRequest(ctx, c, 'read-backup', { version })
    if (!authorized.ok) return authorized.response
    const body = await readSignedBytes(c, authorized.bodyHash, MAX_EMPTY_BODY_BYTES)
    if (!body.ok) return body.response
    const stored = await ctx.store.readBackupVersion(authorized.backupId, version)
    if (!stored) return fail(c, 404, 'not_found', `this backup has no version ${version} (the host keeps the newest ${versionsKept}); list the versions again`)
    return c.body(stored.bytes, 200, {
      'Content-Type': 'application/octet-stream',
      'Cache-Control': 'no-store',
      [BACKUP_SHA256_HEADER]: stored.version.sha256,
    })
  })

  app.put('/api/backups/:id', async (c) => {
    const authorized = await authorizeBackupRequest(ctx, c, 'put-backup', { beforeClaim: () => refuseUploadHeaders(c, maxBytes) })
    if (!authorized.ok) return authorized.response
    const body = await readSignedBytes(c, authorized.bodyHash, maxBytes)
    if (!body.ok) return body.response
    const stored = await ctx.store.putBackupVersion(
      authorized.backupId,
      { bytes: body.bytes, sha256: authorized.bodyHash },
      { previous: authorized.previous, now: ctx.clock(), keep: versionsKept },
    )
    if (stored.kind === 'conflict') {
      const reply: BackupConflict = {
        error: 'backup_conflict',
        detail: stored.latest
          ? `the newest version here is ${stored.latest.version}, not the one this upload replaces: ` +
            'another device uploaded meanwhile; read it, merge, and upload again'
          : 'this backup holds no version here (it was deleted, or never uploaded): upload again with no previous version',
        ...(stored.latest && { latest: backupVersionView(stored.latest) }),
      }
      return c.json(reply, 409)
    }
    return c.json(backupVersionView(stored.version) satisfies BackupVersion, 201)
  })

  app.delete('/api/backups/:id', async (c) => {
    const authorized = await authorizeBackupRequest(ctx, c, 'delete-backups')
    if (!authorized.ok) return authorized.response
    const body = await readSignedBytes(c, authorized.bodyHash, MAX_EMPTY_BODY_BYTES)
    if (!body.ok) return body.response
    return c.json({ deleted: await ctx.store.deleteBackup(authorized.backupId) })
  })

  return app
}

/** An upload is the backup file's bytes, as application/octet-stream, within the size limit. */
function refuseUploadHeaders(c: Context, maxBytes: number): Response | undefined {
  const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/octet-stream') {
    return fail(c, 415, 'unsupported_media_type', 'a backup upload is the backup file’s bytes, sent as Content-Type: application/octet-stream')
  }
  if (declaredLength(c) > maxBytes) return fail(c, 413, 'payload_too_large', `a backup may be at most ${maxBytes} bytes on this host`)
  return undefined
}

function backupVersionView(stored: StoredBackupVersion): BackupVersion {
  return { version: stored.version, createdAt: new Date(stored.createdAt).toISOString(), size: stored.size, sha256: stored.sha256 }
}
