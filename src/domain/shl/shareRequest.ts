/**
 * The share host's management protocol, shared by the host and its client: the patient
 * creates a share (its encrypted files), replaces the files, deactivates it and reads its
 * access log, each request signed by the patient's wallet (EIP-712) so that only the patient
 * who made the grant can act, and no request can be replayed.
 *
 * EIP-712, domain `shareHostDomain(chainId, registry)`, primary type `ShareRequest`:
 *   action     string   'create-share' | 'update-files' | 'deactivate-share' | 'read-access-log'
 *   host       string   the share host's public URL, so a request is worth nothing at another host
 *   shareId    string   the share (43 base64url characters)
 *   bodyHash   bytes32  SHA-256 of the exact request body bytes (of '' when there is none)
 *   nonce      bytes32  random; the host refuses a nonce it has seen
 *   expiresAt  uint64   unix seconds; at most 10 minutes ahead
 *
 * The signature travels in `Authorization: CareKey <base64url(JSON)>`, the JSON being
 * `{signer, nonce, expiresAt, bodyHash, signature}`, plus `shareId` and `commitment` for
 * create-share. Everything the host needs to decide whether the signer may act is in that
 * header, so it refuses a stranger before reading a byte of the body; only then does it read
 * the body, hashing it as it arrives, and compare the hash with the signed one.
 */
import { z } from 'zod'
import { addressSchema, bytes32Schema } from '../hex.ts'
import { bytesToHex, type Address, type Hex } from 'viem'
import { fromBase64Url, randomBytes, toBase64Url, utf8 } from '../crypto/bytes.ts'
import { SHL_CONTENT_TYPES } from './jwe.ts'
import {
  DEFAULT_SIGNED_REQUEST_LIFETIME_S,
  newNonce,
  shareHostDomain,
  signatureSchema,
  unixSecondsSchema,
  type TypedDataSigner,
} from './signing.ts'

export const SHARE_ACTIONS = ['create-share', 'update-files', 'deactivate-share', 'read-access-log'] as const
export type ShareAction = (typeof SHARE_ACTIONS)[number]

export const AUTHORIZATION_SCHEME = 'CareKey'
/** A share may hold at most this many files. */
export const MAX_SHARE_FILES = 20
export const MIN_PASSCODE_LENGTH = 4

export const shareRequestTypes = {
  ShareRequest: [
    { name: 'action', type: 'string' },
    { name: 'host', type: 'string' },
    { name: 'shareId', type: 'string' },
    { name: 'bodyHash', type: 'bytes32' },
    { name: 'nonce', type: 'bytes32' },
    { name: 'expiresAt', type: 'uint64' },
  ],
} as const

/**
 * The typed data a patient signs (and the host verifies) for one management request.
 *
 * @example
 * const signature = await account.signTypedData(shareRequestTypedData({ chainId, registry, action: 'deactivate-share', host, shareId, bodyHash: await hashRequestBody(''), nonce: newNonce(), expiresAt }))
 */
export function shareRequestTypedData(params: {
  chainId: number
  registry: Address
  action: ShareAction
  host: string
  shareId: string
  bodyHash: Hex
  nonce: Hex
  expiresAt: number
}) {
  return {
    domain: shareHostDomain(params.chainId, params.registry),
    types: shareRequestTypes,
    primaryType: 'ShareRequest',
    message: {
      action: params.action,
      host: params.host,
      shareId: params.shareId,
      bodyHash: params.bodyHash,
      nonce: params.nonce,
      expiresAt: BigInt(params.expiresAt),
    },
  } as const
}

export type ShareRequestTypedData = ReturnType<typeof shareRequestTypedData>

/**
 * SHA-256 of the request body exactly as sent (its UTF-8 bytes), as 0x-prefixed hex: the
 * signed `bodyHash`. WebCrypto, so the same in the browser and in Node; the host computes the
 * same digest with node:crypto as the body streams in.
 *
 * @example
 * await hashRequestBody('') // '0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
 */
export async function hashRequestBody(body: string): Promise<Hex> {
  return bytesToHex(new Uint8Array(await crypto.subtle.digest('SHA-256', utf8.encode(body))))
}

export const SHARE_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/
export const shareIdSchema = z.string().regex(SHARE_ID_PATTERN, 'must be 43 base64url characters (32 random bytes)')

export const shareAuthorizationSchema = z.object({
  signer: addressSchema,
  nonce: bytes32Schema,
  expiresAt: unixSecondsSchema,
  /** SHA-256 of the body, as signed; the host compares it with the body once it may read it. */
  bodyHash: bytes32Schema,
  /** create-share only: the new share's id, signed like any other request's. */
  shareId: shareIdSchema.optional(),
  /** create-share only: the grant's commitment, so that the host checks the grant before the body arrives. */
  commitment: bytes32Schema.optional(),
  signature: signatureSchema,
})
export type ShareAuthorization = z.infer<typeof shareAuthorizationSchema>

/**
 * The Authorization header value for a signed request.
 *
 * @example
 * headers.set('authorization', encodeShareAuthorization({ signer, nonce, expiresAt, bodyHash, signature }))
 */
export function encodeShareAuthorization(auth: ShareAuthorization): string {
  return `${AUTHORIZATION_SCHEME} ${toBase64Url(utf8.encode(JSON.stringify(auth)))}`
}

/**
 * Reads an Authorization header; undefined when it is missing or not CareKey's scheme or malformed.
 *
 * @example
 * const auth = parseShareAuthorization(request.headers.get('authorization') ?? undefined)
 * if (!auth) return unauthenticated()
 */
export function parseShareAuthorization(header: string | undefined): ShareAuthorization | undefined {
  const match = /^CareKey ([A-Za-z0-9_-]{1,2048})$/.exec(header?.trim() ?? '')
  if (!match?.[1]) return undefined
  try {
    const parsed = shareAuthorizationSchema.safeParse(JSON.parse(utf8.decode(fromBase64Url(match[1]))))
    return parsed.success ? parsed.data : undefined
  } catch {
    // Not base64url JSON: the same as no header.
    return undefined
  }
}

/**
 * What one management request is about: its action, its share and its exact body. A new
 * share also names its grant's commitment, which the host checks before it reads the body.
 */
export type ShareRequestSubject = { shareId: string; body: string } & (
  | { action: 'create-share'; commitment: Hex }
  | { action: Exclude<ShareAction, 'create-share'>; commitment?: never }
)

/**
 * Signs one management request: returns the headers to send with exactly this body.
 *
 * @example
 * const body = JSON.stringify({ files })
 * const headers = await signShareRequest(signer, { chainId, registry, host, action: 'update-files', shareId, body })
 * await fetch(`${host}/api/shares/${shareId}/files`, { method: 'PUT', headers, body })
 */
export async function signShareRequest(
  signer: TypedDataSigner<ShareRequestTypedData>,
  params: { chainId: number; registry: Address; host: string; now?: number } & ShareRequestSubject,
): Promise<{ authorization: string }> {
  const nonce = newNonce()
  const expiresAt = Math.floor((params.now ?? Date.now()) / 1000) + DEFAULT_SIGNED_REQUEST_LIFETIME_S
  const bodyHash = await hashRequestBody(params.body)
  const signature = await signer.signTypedData(
    shareRequestTypedData({
      chainId: params.chainId,
      registry: params.registry,
      action: params.action,
      host: params.host,
      shareId: params.shareId,
      bodyHash,
      nonce,
      expiresAt,
    }),
  )
  const newShare = params.action === 'create-share' ? { shareId: params.shareId, commitment: params.commitment } : {}
  return { authorization: encodeShareAuthorization({ signer: signer.address, nonce, expiresAt, bodyHash, ...newShare, signature }) }
}

/**
 * A fresh share id: 32 random bytes, base64url. It is the secret part of the manifest URL,
 * so it carries the 256 bits of entropy the spec asks for.
 *
 * @example
 * const id = newShareId() // 'Y9xwkUdtmN9wwoJoN3ffJIhX2UGvCL1JnlPVNL3kDWM'
 */
export function newShareId(): string {
  return toBase64Url(randomBytes(32))
}

/**
 * The manifest URL of a share at a host (the link's `url`).
 *
 * @example
 * manifestUrlFor('https://share.example.org', id) // 'https://share.example.org/shl/Y9xw…'
 */
export function manifestUrlFor(hostUrl: string, shareId: string): string {
  return `${hostUrl.replace(/\/+$/, '')}/shl/${shareId}`
}

const shareFileUploadSchema = z.object({
  contentType: z.enum(SHL_CONTENT_TYPES),
  jwe: z.string().min(1),
})

export const newShareSchema = z.object({
  id: shareIdSchema,
  patient: addressSchema,
  /** The grant's commitment in the ConsentRegistry (keyed by `patient`). */
  commitment: bytes32Schema,
  /** Whoever opens the link must give this (flag P). The host stores only a slow hash of it. */
  passcode: z.string().min(MIN_PASSCODE_LENGTH, `passcode must be at least ${MIN_PASSCODE_LENGTH} characters`).max(200).optional(),
  /** After this (unix seconds) the host answers 404, whatever the grant says. */
  expiresAt: unixSecondsSchema.optional(),
  /**
   * The grant's period (unix seconds), as in its terms: the host then checks it on chain with
   * `statusOfGrant`, so the share is served from the grant's start and not with a wrong end.
   */
  validFrom: unixSecondsSchema.optional(),
  validUntil: unixSecondsSchema.optional(),
  files: z.array(shareFileUploadSchema).min(1).max(MAX_SHARE_FILES),
  /**
   * The grant behind the share, encrypted under the link's key (shareGrant.ts): the host serves it
   * to anyone at `/shl/:id/grant`, so that the link carries no terms. Absent from shares made before.
   */
  grant: z.string().min(1).optional(),
})
  .refine((s) => (s.validFrom === undefined) === (s.validUntil === undefined), { message: 'validFrom and validUntil come together', path: ['validUntil'] })
  .refine((s) => s.validFrom === undefined || s.validUntil === undefined || s.validFrom < s.validUntil, { message: 'must be after validFrom', path: ['validUntil'] })
/** The body of `POST /api/shares`. */
export type NewShare = z.input<typeof newShareSchema>
export type ShareFileUpload = z.infer<typeof shareFileUploadSchema>

export const updateShareFilesSchema = z.object({ files: z.array(shareFileUploadSchema).min(1).max(MAX_SHARE_FILES) })
/** The body of `PUT /api/shares/:id/files`. */
export type UpdateShareFiles = z.input<typeof updateShareFilesSchema>

const isoTime = z.iso.datetime()

export const shareStatusSchema = z.object({
  id: shareIdSchema,
  manifestUrl: z.url({ protocol: /^https?$/ }),
  patient: addressSchema,
  commitment: bytes32Schema,
  /** `locked`: too many wrong passcodes; the link is dead for good. */
  status: z.enum(['active', 'deactivated', 'locked']),
  createdAt: isoTime,
  updatedAt: isoTime,
  expiresAt: unixSecondsSchema.optional(),
  passcode: z.object({ required: z.boolean(), remainingAttempts: z.int().min(0).optional() }),
  files: z.array(
    z.object({
      id: z.string(),
      contentType: z.string(),
      length: z.int().min(0),
      lastUpdated: isoTime,
    }),
  ),
})
/** What the host says about a share (never its files' contents). */
export type ShareStatus = z.infer<typeof shareStatusSchema>

export const accessLogEntrySchema = z.object({
  at: isoTime,
  /** The name the recipient gave, as they typed it. */
  recipient: z.string(),
  outcome: z.enum(['opened', 'wrong-passcode']),
  /** Present when the recipient signed the request (see recipientProof.ts). */
  verifiedAddress: addressSchema.optional(),
  /** Repeated wrong passcodes under one name are one entry: how many, from `at` to `lastAt`. */
  count: z.int().min(2).optional(),
  lastAt: isoTime.optional(),
})
export type AccessLogEntry = z.infer<typeof accessLogEntrySchema>

export const accessLogReplySchema = z.object({
  share: shareStatusSchema,
  /** Oldest first: the newest the host keeps (it keeps a few hundred per share). */
  entries: z.array(accessLogEntrySchema),
  /** Older entries the host no longer keeps. */
  dropped: z.int().min(0).default(0),
})
export type ShareAccessLog = z.infer<typeof accessLogReplySchema>

/**
 * The error code of a 404 for a share closed for good after too many wrong passcodes, so that a
 * viewer can tell the clinician exactly that (the patient must make a new QR code) rather than
 * "stopped or ended". Any other 404 is `not_found`.
 */
export const SHARE_LOCKED_ERROR = 'share_locked'

/** Every error reply of the host: a stable code, sometimes a detail for developers. */
export const errorReplySchema = z.object({
  error: z.string(),
  detail: z.string().optional(),
  remainingAttempts: z.int().min(0).optional(),
})
export type ShareHostErrorReply = z.infer<typeof errorReplySchema>
