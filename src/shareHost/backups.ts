/**
 * The client of the share host's online backups (protocol: src/domain/backup/hostBackup.ts): list
 * the versions kept, download one, upload a new one over the newest (compare-and-swap on its
 * SHA-256), delete them all. Every request is signed by the wallet's backup key; every reply is
 * parsed here, at the boundary, into a typed value or a CareKeyError. No React, no storage: the
 * backup feature wraps these. The bytes sent and received are the sealed `.carekey` file: this
 * client never sees plaintext.
 *
 * Failures: ShareHostUnreachableError, ShareHostTimeoutError and ShareHostBusyError (from
 * client.ts: try again later), BackupConflictError (409), BackupRefusedError (401, 403, 404 and
 * other refusals), BackupTooLargeError (413), BackupDownloadDamagedError, ShareHostReplyError.
 */
import type { Hex } from 'viem'
import {
  backupConflictSchema,
  backupDeletedSchema,
  backupIdOf,
  backupListSchema,
  backupVersionSchema,
  sha256Hex,
  signBackupRequest,
  type BackupAction,
  type BackupList,
  type BackupRequestTypedData,
  type BackupVersion,
} from '../domain/backup/hostBackup.ts'
import { CareKeyError } from '../domain/errors.ts'
import { formatBytes } from '../domain/fhir/errors.ts'
import { errorReplySchema, type TypedDataSigner } from '../domain/shl/index.ts'
import { exchange, parseReply, readCapped, readJson, ShareHostBusyError, ShareHostTimeoutError, ShareHostUnreachableError, type FetchLike } from './client.ts'
import { BACKUP_REQUEST_TIMEOUT_MS, BACKUP_SLOWEST_TRANSFER_BYTES_PER_S, MAX_BACKUP_REPLY_BYTES, MAX_ERROR_REPLY_BYTES } from './limits.ts'

/** Which share host keeps the backups, and how to reach it. */
export type BackupHostTarget = {
  /** The host's public URL (appConfig.shareHostUrl): it is part of every signature. */
  hostUrl: string
  fetch?: FetchLike
  /** Unix milliseconds, for the expiry of signed requests; Date.now by default. */
  clock?: () => number
  /** Stops a request under way (the wallet was locked); it then fails as unreachable. */
  signal?: AbortSignal
}

/** The wallet's backup key (`backupSignerKey(keys.root)`, a viem LocalAccount fits). */
export type BackupSigner = TypedDataSigner<BackupRequestTypedData>

// ---------------------------------------------------------------------------------------------
// Errors

/** 409: the newest version at the host is not the one this upload meant to replace. */
export class BackupConflictError extends CareKeyError {
  /** The newest version now, or undefined when the host holds none. */
  readonly latest: BackupVersion | undefined

  constructor(latest: BackupVersion | undefined) {
    super('The online backup was changed from another device at the same time.', 'CareKey tries again with the newest copy.')
    this.latest = latest
  }
}

/** The host refused the request: a signature it does not accept, another key's backup, no such version… */
export class BackupRefusedError extends CareKeyError {
  readonly status: number
  readonly code: string

  constructor(status: number, code: string, detail: string | undefined, action?: BackupAction) {
    const [message, hint] = refusalWords(status, detail, action)
    super(message, hint)
    this.status = status
    this.code = code
  }
}

function refusalWords(status: number, detail: string | undefined, action: BackupAction | undefined): [string, string] {
  const because = detail ? ` (${detail.slice(0, 200)})` : ''
  if (status === 401) {
    return [`The share host did not accept this device's signature on the backup${because}.`, "Check that this device's date and time are right; CareKey tries again at the next change, or press Back up now."]
  }
  if (status === 403) {
    return [
      `The share host refused: this online backup is signed by another key${because}.`,
      'Only the recovery phrase that made an online backup can change it. Check that this is the wallet you meant.',
    ]
  }
  if (status === 404 && action === 'read-backup') {
    return [`The share host no longer has this online backup${because}.`, 'It may have been deleted, or replaced by a newer one. Look for it again.']
  }
  if (status === 404) {
    return ['This share host does not keep online backups.', 'It may need an update. Meanwhile, export a backup file in Backup and storage to keep a copy.']
  }
  return [`The share host refused the backup request${because}.`, 'Try again later. If it keeps failing, the share host may need an update.']
}

/** 413, or known before sending: the backup is larger than the host accepts. */
export class BackupTooLargeError extends CareKeyError {
  readonly size: number
  readonly limit: number | undefined

  constructor(size: number, limit: number | undefined) {
    super(
      limit === undefined
        ? `Your backup (${formatBytes(size)}) is larger than the share host accepts.`
        : `Your backup (${formatBytes(size)}) is larger than the ${formatBytes(limit)} the share host accepts.`,
      'Export a backup file instead (Backup and storage), or remove large attachments you no longer need.',
    )
    this.size = size
    this.limit = limit
  }
}

/** A downloaded version is not the bytes the host listed (its size or SHA-256 differ). */
export class BackupDownloadDamagedError extends CareKeyError {
  constructor(detail: string) {
    super(`The online backup arrived damaged (${detail}). Nothing was changed.`, 'Try again. If it keeps happening, the copy at the share host may be damaged.')
  }
}

/**
 * True for the failures that pass by themselves (no connection, a timeout, a busy host): the
 * automatic backup tries again later.
 *
 * @example
 * if (isTransientBackupFailure(error)) scheduleRetry()
 */
export function isTransientBackupFailure(error: unknown): boolean {
  return error instanceof ShareHostUnreachableError || error instanceof ShareHostTimeoutError || error instanceof ShareHostBusyError
}

// ---------------------------------------------------------------------------------------------
// Requests

/**
 * The versions the host keeps of this wallet's backup, newest first (none when there is no
 * backup), with how many it keeps and the largest it accepts.
 *
 * @example
 * const { versions: [newest] } = await listBackups(target, await backupSignerKey(keys.root))
 */
export async function listBackups(target: BackupHostTarget, signer: BackupSigner): Promise<BackupList> {
  const list = await signed(target, signer, 'list-backups', { method: 'GET' }, BACKUP_REQUEST_TIMEOUT_MS, async (response, signal) => {
    if (!response.ok) throw await refusal(response, signal, 'list-backups')
    return parseReply(await readJson(response, signal, MAX_BACKUP_REPLY_BYTES), backupListSchema)
  })
  return { ...list, versions: [...list.versions].sort((a, b) => b.version - a.version) }
}

/**
 * Downloads one version and checks it is exactly what the list said (its length and SHA-256):
 * anything else is BackupDownloadDamagedError, and never returned.
 *
 * @example
 * const bytes = await downloadBackup(target, signer, newest)
 */
export async function downloadBackup(target: BackupHostTarget, signer: BackupSigner, version: BackupVersion): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = await signed(
    target,
    signer,
    'read-backup',
    { method: 'GET', version: version.version },
    transferTimeout(version.size),
    async (response, signal) => {
      if (!response.ok) throw await refusal(response, signal, 'read-backup')
      return readCapped(response, version.size, signal, () => new BackupDownloadDamagedError(`it is longer than the ${version.size} bytes the share host listed`))
    },
  )
  if (bytes.length !== version.size) throw new BackupDownloadDamagedError(`it has ${bytes.length} bytes, not the ${version.size} listed`)
  if ((await sha256Hex(bytes)) !== version.sha256) throw new BackupDownloadDamagedError('its fingerprint does not match the one listed')
  return bytes
}

/**
 * Uploads a new version over `previous` (the SHA-256 of the newest version this device knows,
 * NO_PREVIOUS_BACKUP when it expects none). Throws BackupConflictError when the host's newest is
 * another (it carries that one), BackupTooLargeError past `maxBytes` (checked before sending,
 * when known) or the host's limit.
 *
 * @example
 * const stored = await uploadBackup(target, signer, bytes, lastUpload?.sha256 ?? NO_PREVIOUS_BACKUP)
 */
export async function uploadBackup(
  target: BackupHostTarget,
  signer: BackupSigner,
  bytes: Uint8Array<ArrayBuffer>,
  previous: Hex,
  options: { maxBytes?: number } = {},
): Promise<BackupVersion> {
  if (options.maxBytes !== undefined && bytes.length > options.maxBytes) throw new BackupTooLargeError(bytes.length, options.maxBytes)
  return signed(
    target,
    signer,
    'put-backup',
    { method: 'PUT', previous, body: bytes },
    transferTimeout(bytes.length),
    async (response, signal) => {
      if (response.status === 409) {
        const conflict = backupConflictSchema.safeParse(await readJson(response, signal, MAX_BACKUP_REPLY_BYTES).catch(rethrowTimeout))
        if (!conflict.success) throw new BackupRefusedError(409, 'http_409', undefined, 'put-backup')
        throw new BackupConflictError(conflict.data.latest)
      }
      if (response.status === 413) {
        const reply = errorReplySchema.safeParse(await readJson(response, signal, MAX_ERROR_REPLY_BYTES).catch(rethrowTimeout))
        throw new BackupTooLargeError(bytes.length, limitFrom(reply.success ? reply.data.detail : undefined) ?? options.maxBytes)
      }
      if (!response.ok) throw await refusal(response, signal, 'put-backup')
      return parseReply(await readJson(response, signal, MAX_BACKUP_REPLY_BYTES), backupVersionSchema)
    },
  )
}

/**
 * Deletes every version of this wallet's backup at the host; returns how many there were.
 * Deleting when there are none is fine (0).
 *
 * @example
 * const { deleted } = await deleteBackups(target, signer)
 */
export async function deleteBackups(target: BackupHostTarget, signer: BackupSigner): Promise<{ deleted: number }> {
  return signed(target, signer, 'delete-backups', { method: 'DELETE' }, BACKUP_REQUEST_TIMEOUT_MS, async (response, signal) => {
    if (!response.ok) throw await refusal(response, signal, 'delete-backups')
    return parseReply(await readJson(response, signal, MAX_BACKUP_REPLY_BYTES), backupDeletedSchema)
  })
}

// ---------------------------------------------------------------------------------------------
// Plumbing

type Request = { method: 'GET' | 'PUT' | 'DELETE'; version?: number; previous?: Hex; body?: Uint8Array<ArrayBuffer> }

async function signed<T>(
  target: BackupHostTarget,
  signer: BackupSigner,
  action: BackupAction,
  request: Request,
  timeoutMs: number,
  read: (response: Response, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const host = target.hostUrl.replace(/\/+$/, '')
  const authorization = await signBackupRequest(signer, host, {
    action,
    ...(request.version !== undefined && { version: request.version }),
    ...(request.previous !== undefined && { previous: request.previous }),
    ...(request.body && { body: request.body }),
    ...(target.clock && { now: target.clock() }),
  })
  const path = `/api/backups/${backupIdOf(signer.address)}${request.version !== undefined ? `/versions/${request.version}` : ''}`
  const init: RequestInit = {
    method: request.method,
    headers: { authorization, ...(request.body && { 'content-type': 'application/octet-stream' }) },
    ...(request.body && { body: request.body }),
  }
  return exchange(withSignal(target.fetch, target.signal), `${host}${path}`, init, timeoutMs, read)
}

/** The fetch to use, also stopped by `outer` (exchange gives each request a timeout signal of its own). */
function withSignal(fetchImpl: FetchLike | undefined, outer: AbortSignal | undefined): FetchLike | undefined {
  if (!outer) return fetchImpl
  return (input, init) => {
    const inner = init?.signal
    const both = new AbortController()
    for (const signal of [outer, inner]) {
      if (!signal) continue
      if (signal.aborted) both.abort(signal.reason)
      else signal.addEventListener('abort', () => both.abort(signal.reason), { once: true })
    }
    return (fetchImpl ?? fetch)(input, { ...init, signal: both.signal })
  }
}

const transferTimeout = (bytes: number) => BACKUP_REQUEST_TIMEOUT_MS + Math.ceil((bytes / BACKUP_SLOWEST_TRANSFER_BYTES_PER_S) * 1000)

/** The host's 413 says its limit in words ("may be at most 1048576 bytes"); read it when it does. */
function limitFrom(detail: string | undefined): number | undefined {
  const match = /(\d{1,16}) bytes/.exec(detail ?? '')
  return match?.[1] ? Number(match[1]) : undefined
}

function rethrowTimeout(error: unknown): undefined {
  if (error instanceof ShareHostTimeoutError) throw error
  return undefined
}

async function refusal(response: Response, signal: AbortSignal, action: BackupAction): Promise<CareKeyError> {
  if (response.status === 429 || response.status >= 500) {
    const retryAfter = Number(response.headers.get('retry-after'))
    return new ShareHostBusyError(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined)
  }
  const reply = errorReplySchema.safeParse(await readJson(response, signal, MAX_ERROR_REPLY_BYTES).catch(rethrowTimeout))
  return reply.success
    ? new BackupRefusedError(response.status, reply.data.error, reply.data.detail, action)
    : new BackupRefusedError(response.status, `http_${response.status}`, undefined, action)
}
