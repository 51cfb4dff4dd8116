/**
 * The online backup protocol, shared by the share host and its client. The host keeps the last
 * few versions of each wallet's encrypted backup file (the same `.carekey` bytes as an exported
 * file, see ../records/backup.ts), and learns only the size and the time of each upload.
 *
 * Who may act on a backup: the wallet derives a key of its own for backups (`backupSignerKey`,
 * HKDF from the recovery phrase's seed, never used on chain), and the backup's id at the host
 * is that key's address. Every request is signed by it (EIP-712), so the host needs no account
 * and no password, a restore needs the recovery phrase alone, and nothing ties a backup to an
 * address on chain. Since the id is the signer, the Authorization header does not repeat it.
 *
 * EIP-712, domain `backupHostDomain` (no chain: a backup is not about a chain), primary type
 * `BackupRequest`:
 *   action     string   'list-backups' | 'read-backup' | 'put-backup' | 'delete-backups'
 *   host       string   the host's public URL, so a request is worth nothing at another host
 *   backupId   string   the backup's id: the signer's address, lowercase
 *   version    uint64   read-backup: the version read; 0 otherwise
 *   previous   bytes32  put-backup: SHA-256 of the newest version's bytes the client replaces,
 *                       or 32 zero bytes when it expects none; zero otherwise
 *   bodyHash   bytes32  SHA-256 of the exact request body (of no bytes when there is none)
 *   nonce      bytes32  random; the host refuses a nonce it has seen
 *   expiresAt  uint64   unix seconds; at most 10 minutes ahead
 *
 * `previous` makes an upload a compare-and-swap: an upload made from an out-of-date view (another
 * device uploaded meanwhile) is refused with 409 and the newest version's details, and a replayed
 * upload can never roll the backup back.
 *
 * Routes (all signed with `Authorization: CareKey-Backup <base64url(JSON of BackupAuthorization)>`):
 *   GET    /api/backups/:id                    list-backups   200 BackupList (empty when none)
 *   GET    /api/backups/:id/versions/:version  read-backup    200 application/octet-stream
 *   PUT    /api/backups/:id                    put-backup     201 BackupVersion · 409 BackupConflict · 413
 *   DELETE /api/backups/:id                    delete-backups 200 { deleted }
 * Error replies are the share host's usual `{ error, detail? }`.
 */
import { z } from 'zod'
import { bytesToHex, type Address, type Hex } from 'viem'
import { privateKeyToAccount, type LocalAccount } from 'viem/accounts'
import { fromBase64Url, toArrayBufferBytes, toBase64Url, utf8 } from '../crypto/bytes.ts'
import { bytes32Schema } from '../hex.ts'
import { DEFAULT_SIGNED_REQUEST_LIFETIME_S, newNonce, signatureSchema, unixSecondsSchema, type TypedDataSigner } from '../shl/signing.ts'

export const BACKUP_ACTIONS = ['list-backups', 'read-backup', 'put-backup', 'delete-backups'] as const
export type BackupAction = (typeof BACKUP_ACTIONS)[number]

export const BACKUP_AUTHORIZATION_SCHEME = 'CareKey-Backup'
export const BACKUP_EIP712_NAME = 'CareKey Backups'
export const BACKUP_EIP712_VERSION = '1'

/** `previous` when the client expects the host to hold no version yet. */
export const NO_PREVIOUS_BACKUP: Hex = `0x${'00'.repeat(32)}`

/** SHA-256 of no bytes: the bodyHash of a request without a body. */
export const EMPTY_BODY_HASH: Hex = '0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

/** How many versions a host keeps by default; the oldest goes when a new one lands. */
export const DEFAULT_BACKUP_VERSIONS_KEPT = 3

/** The largest backup a host accepts by default (configurable at the host). */
export const DEFAULT_MAX_BACKUP_BYTES = 256 * 1024 * 1024

/** HKDF label of the backup signing key. Changing it loses every wallet's online backup. */
export const BACKUP_SIGNER_LABEL = 'share-host-backup-signer/v1'

export const backupHostDomain = { name: BACKUP_EIP712_NAME, version: BACKUP_EIP712_VERSION } as const

export const backupRequestTypes = {
  BackupRequest: [
    { name: 'action', type: 'string' },
    { name: 'host', type: 'string' },
    { name: 'backupId', type: 'string' },
    { name: 'version', type: 'uint64' },
    { name: 'previous', type: 'bytes32' },
    { name: 'bodyHash', type: 'bytes32' },
    { name: 'nonce', type: 'bytes32' },
    { name: 'expiresAt', type: 'uint64' },
  ],
} as const

/** A backup's id: the lowercase address of the key that signs for it. */
export const BACKUP_ID_PATTERN = /^0x[0-9a-f]{40}$/
export const backupIdSchema = z.string().regex(BACKUP_ID_PATTERN, 'must be a lowercase 0x-prefixed address')

/** The id of the backup a signer acts on. */
export function backupIdOf(signer: Address): string {
  return signer.toLowerCase()
}

export type BackupRequestSubject = {
  action: BackupAction
  backupId: string
  /** read-backup only. */
  version?: number
  /** put-backup only (NO_PREVIOUS_BACKUP when the client expects none). */
  previous?: Hex
  bodyHash: Hex
  nonce: Hex
  expiresAt: number
}

/**
 * The typed data a wallet signs (and the host verifies) for one backup request.
 *
 * @example
 * const signature = await signer.signTypedData(backupRequestTypedData(host, { action: 'list-backups', backupId, bodyHash: EMPTY_BODY_HASH, nonce: newNonce(), expiresAt }))
 */
export function backupRequestTypedData(host: string, subject: BackupRequestSubject) {
  return {
    domain: backupHostDomain,
    types: backupRequestTypes,
    primaryType: 'BackupRequest',
    message: {
      action: subject.action,
      host,
      backupId: subject.backupId,
      version: BigInt(subject.version ?? 0),
      previous: subject.previous ?? NO_PREVIOUS_BACKUP,
      bodyHash: subject.bodyHash,
      nonce: subject.nonce,
      expiresAt: BigInt(subject.expiresAt),
    },
  } as const
}

export type BackupRequestTypedData = ReturnType<typeof backupRequestTypedData>

export const backupAuthorizationSchema = z.object({
  nonce: bytes32Schema,
  expiresAt: unixSecondsSchema,
  bodyHash: bytes32Schema,
  /** put-backup: the newest version's SHA-256 the upload replaces (NO_PREVIOUS_BACKUP for none). */
  previous: bytes32Schema.optional(),
  /** read-backup: the version read. */
  version: z.int().min(1).max(2 ** 53 - 1).optional(),
  signature: signatureSchema,
})
export type BackupAuthorization = z.infer<typeof backupAuthorizationSchema>

/** The Authorization header value of a signed backup request. */
export function encodeBackupAuthorization(auth: BackupAuthorization): string {
  return `${BACKUP_AUTHORIZATION_SCHEME} ${toBase64Url(utf8.encode(JSON.stringify(auth)))}`
}

/** Reads an Authorization header; undefined when it is missing, of another scheme or malformed. */
export function parseBackupAuthorization(header: string | undefined): BackupAuthorization | undefined {
  const match = /^CareKey-Backup ([A-Za-z0-9_-]{1,2048})$/.exec(header?.trim() ?? '')
  if (!match?.[1]) return undefined
  try {
    const parsed = backupAuthorizationSchema.safeParse(JSON.parse(utf8.decode(fromBase64Url(match[1]))))
    return parsed.success ? parsed.data : undefined
  } catch {
    // Not base64url JSON: the same as no header.
    return undefined
  }
}

/** SHA-256 of bytes, as 0x-prefixed lowercase hex (a body hash, a version's digest). */
export async function sha256Hex(bytes: Uint8Array): Promise<Hex> {
  return bytesToHex(new Uint8Array(await crypto.subtle.digest('SHA-256', toArrayBufferBytes(bytes))))
}

/**
 * Signs one backup request: returns the Authorization header for exactly this body.
 *
 * @example
 * const authorization = await signBackupRequest(signer, host, { action: 'put-backup', previous, body })
 * await fetch(`${host}/api/backups/${backupIdOf(signer.address)}`, { method: 'PUT', headers: { authorization }, body })
 */
export async function signBackupRequest(
  signer: TypedDataSigner<BackupRequestTypedData>,
  host: string,
  request: { action: BackupAction; version?: number; previous?: Hex; body?: Uint8Array; now?: number },
): Promise<string> {
  const nonce = newNonce()
  const expiresAt = Math.floor((request.now ?? Date.now()) / 1000) + DEFAULT_SIGNED_REQUEST_LIFETIME_S
  const bodyHash = request.body ? await sha256Hex(request.body) : EMPTY_BODY_HASH
  const previous = request.action === 'put-backup' ? (request.previous ?? NO_PREVIOUS_BACKUP) : undefined
  const version = request.action === 'read-backup' ? request.version : undefined
  const signature = await signer.signTypedData(
    backupRequestTypedData(host, { action: request.action, backupId: backupIdOf(signer.address), version, previous, bodyHash, nonce, expiresAt }),
  )
  return encodeBackupAuthorization({ nonce, expiresAt, bodyHash, ...(previous && { previous }), ...(version !== undefined && { version }), signature })
}

const isoTime = z.iso.datetime()

/** One stored version, as the host describes it: what it learns, nothing more. */
export const backupVersionSchema = z.object({
  /** 1, 2, 3…: increases by one with each upload of this backup, never reused. */
  version: z.int().min(1),
  /** When the host received it. */
  createdAt: isoTime,
  /** Its length in bytes. */
  size: z.int().min(0),
  /** SHA-256 of its bytes: the `previous` of the next upload, and a check of a download. */
  sha256: bytes32Schema,
})
export type BackupVersion = z.infer<typeof backupVersionSchema>

/** GET /api/backups/:id: the versions kept, newest first. */
export const backupListSchema = z.object({
  versions: z.array(backupVersionSchema),
  /** How many versions the host keeps, and the largest upload it accepts. */
  versionsKept: z.int().min(1),
  maxBytes: z.int().min(1),
})
export type BackupList = z.infer<typeof backupListSchema>

/** 409 to a put-backup whose `previous` is not the newest version (another device uploaded). */
export const backupConflictSchema = z.object({
  error: z.literal('backup_conflict'),
  detail: z.string().optional(),
  /** The newest version now, or absent when the host holds none. */
  latest: backupVersionSchema.optional(),
})
export type BackupConflict = z.infer<typeof backupConflictSchema>

export const backupDeletedSchema = z.object({ deleted: z.int().min(0) })

/**
 * The wallet's backup signing key, derived from the recovery phrase's root key material (HKDF,
 * its own label): the same on every device restored from the phrase, unrelated to any address
 * the wallet uses on chain.
 *
 * @example
 * const signer = await backupSignerKey(keys.root)
 * backupIdOf(signer.address) // '0x…' (the backup's id at the host)
 */
export async function backupSignerKey(root: CryptoKey): Promise<LocalAccount> {
  const bits = new Uint8Array(
    await crypto.subtle.deriveBits(
      { name: 'HKDF', hash: 'SHA-256', salt: toArrayBufferBytes(utf8.encode('CareKey')), info: utf8.encode(BACKUP_SIGNER_LABEL) },
      root,
      256,
    ),
  )
  try {
    // 32 uniform bytes fall outside secp256k1's scalar range with probability below 2^-127;
    // privateKeyToAccount refuses such a key rather than use it.
    return privateKeyToAccount(bytesToHex(bits))
  } finally {
    bits.fill(0)
  }
}
