import type { Context } from 'hono'
import type { Hex } from 'viem'
import { NO_PREVIOUS_BACKUP, parseBackupAuthorization, type BackupAction } from '../../../src/domain/backup/hostBackup.ts'
import { fail, type HostContext } from '../context.ts'
import { verifyBackupRequest } from './signatures.ts'

type Refused = { ok: false; response: Response }

/** A request signed by the backup's own key, fresh and not seen before; its nonce is used up. */
export type AuthorizedBackupRequest = {
  ok: true
  /** The backup's id: the signer's lowercase address. */
  backupId: string
  /** SHA-256 of the body the signature covers; the body is read and compared with it next. */
  bodyHash: Hex
  /** put-backup: the SHA-256 of the newest version the upload replaces (NO_PREVIOUS_BACKUP for none). */
  previous: Hex
}

const UNSIGNED = "the request needs an Authorization: CareKey-Backup … header signed by the backup's key"

/**
 * Decides, from the Authorization header alone, whether a backup request may go on: the
 * header is well formed and names what this route needs (the version read, the `previous` of an
 * upload), it is fresh, and the key that signed it is the backup's (`:id`). Then `beforeClaim`
 * may refuse on other headers (an upload's declared size), and only then is the nonce used up,
 * so a refused request leaves nothing behind. The body is not read here: the caller reads it
 * with readSignedBytes and the returned hash.
 *
 * @example
 * const authorized = await authorizeBackupRequest(ctx, c, 'delete-backups')
 * if (!authorized.ok) return authorized.response
 */
export async function authorizeBackupRequest(
  ctx: HostContext,
  c: Context,
  action: BackupAction,
  options: { version?: number; beforeClaim?: () => Response | undefined } = {},
): Promise<AuthorizedBackupRequest | Refused> {
  const backupId = c.req.param('id') ?? ''
  const auth = parseBackupAuthorization(c.req.header('authorization'))
  if (!auth) return refuse(c, 401, UNSIGNED)
  if (action === 'read-backup' && auth.version !== options.version) {
    return refuse(c, 401, `the Authorization header of a read must name the version read (${options.version})`)
  }
  if (action === 'put-backup' && auth.previous === undefined) {
    return refuse(c, 401, 'the Authorization header of an upload must name `previous`: the SHA-256 of the newest version it replaces, or 32 zero bytes for none')
  }
  const verified = await verifyBackupRequest(ctx.signatures, auth, { action, backupId, ...(options.version !== undefined && { version: options.version }) })
  if (!verified.ok) return verified.status === 403 ? { ok: false, response: fail(c, 403, 'forbidden', verified.detail) } : refuse(c, 401, verified.detail)
  const refused = options.beforeClaim?.()
  if (refused) return { ok: false, response: refused }
  if (!(await ctx.store.claimNonce(auth.nonce, auth.expiresAt, ctx.clock()))) return refuse(c, 401, 'this signed request was used before')
  return { ok: true, backupId, bodyHash: auth.bodyHash, previous: auth.previous ?? NO_PREVIOUS_BACKUP }
}

function refuse(c: Context, status: 401, detail: string): Refused {
  return { ok: false, response: fail(c, status, 'unauthenticated', detail) }
}
