/**
 * The share host's client, for the patient (create a share, replace its files, deactivate it,
 * read its access log; each request signed by the wallet) and for the clinician (open a
 * SMART Health Link: manifest, files, decryption). No React: hooks wrap these in React Query.
 * Every reply is parsed here, at the boundary, into a typed value or a CareKeyError.
 */
import type { Address } from 'viem'
import type { z } from 'zod'
import { CareKeyError } from '../domain/errors.ts'
import { utf8 } from '../domain/crypto/bytes.ts'
import {
  accessLogReplySchema,
  decryptShareFile,
  DEFAULT_MAX_SHARE_FILE_BYTES,
  errorReplySchema,
  hasFlag,
  manifestSchema,
  manifestUrlFor,
  readCareKeyExtension,
  shareStatusSchema,
  signRecipientProof,
  signShareRequest,
  ShareFileUnreadableError,
  wrongPasscodeReplySchema,
  type NewShare,
  type RecipientProofTypedData,
  type ShareAccessLog,
  type ShareFileUpload,
  type ShareRequestSubject,
  type ShareRequestTypedData,
  type ShareStatus,
  type ShlManifest,
  type ShlManifestRequest,
  type ShlPayload,
  type TypedDataSigner,
} from '../domain/shl/index.ts'

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>

/** Which share host, for which chain and registry (the EIP-712 domain of every signature). */
export type ShareHostTarget = {
  /** The host's public URL (appConfig.shareHostUrl). */
  hostUrl: string
  chainId: number
  registry: Address
  fetch?: FetchLike
  /** Unix milliseconds, for the expiry of signed requests; Date.now by default. */
  clock?: () => number
}

/** The patient's wallet, signing management requests (wagmi's signTypedDataAsync fits). */
export type PatientSigner = TypedDataSigner<ShareRequestTypedData>
/** A recipient's wallet, signing a proof of their address for the patient's access log. */
export type RecipientSigner = TypedDataSigner<RecipientProofTypedData>

/** Largest JSON reply (status, access log, manifest) the client reads. */
const MAX_REPLY_BYTES = 8 * 1_048_576
/** What a CareKey viewer asks the host to embed in the manifest rather than link. */
const VIEWER_EMBEDDED_LENGTH_MAX = 4 * 1_048_576

// ---------------------------------------------------------------------------------------------
// Errors

/** The link is unknown to its host, deactivated, expired, locked, or its grant is not active. */
export class ShareNotAvailableError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super(
      'This share is not available: it was stopped, it ended, or its consent is no longer active.',
      'Ask the patient to show a new consent QR code.',
      options,
    )
  }
}

/** The share needs a passcode and none, or a wrong one, was given. */
export class WrongSharePasscodeError extends CareKeyError {
  readonly remainingAttempts: number
  readonly passcodeGiven: boolean

  constructor(remainingAttempts: number, passcodeGiven: boolean) {
    super(
      passcodeGiven
        ? remainingAttempts > 0
          ? `That passcode is not right. ${remainingAttempts} ${remainingAttempts === 1 ? 'attempt' : 'attempts'} left.`
          : 'That passcode is not right, and no attempts are left: this share is now closed for good.'
        : 'This share needs the passcode the patient chose.',
      remainingAttempts > 0 ? 'Ask the patient for the passcode, then type it exactly.' : 'Ask the patient to share again.',
    )
    this.remainingAttempts = remainingAttempts
    this.passcodeGiven = passcodeGiven
  }
}

/** The share host could not be reached at all. */
export class ShareHostUnreachableError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super('The share host cannot be reached right now.', 'Check the connection and try again.', options)
  }
}

/** The host asked to wait (too many requests, or it cannot read the chain just now). */
export class ShareHostBusyError extends CareKeyError {
  readonly retryAfterSeconds: number | undefined

  constructor(retryAfterSeconds: number | undefined) {
    super(
      'The share host is busy, or cannot reach the chain or its database right now.',
      retryAfterSeconds ? `Try again in ${retryAfterSeconds} seconds.` : 'Try again in a moment.',
    )
    this.retryAfterSeconds = retryAfterSeconds
  }
}

/** The host refused a request (a bad signature, not the patient, a conflict…). `code` is the host's. */
export class ShareHostRefusedError extends CareKeyError {
  readonly status: number
  readonly code: string

  constructor(status: number, code: string, detail: string | undefined) {
    super(`The share host refused the request${detail ? `: ${detail}` : ` (${code})`}.`, refusalHint(status, code))
    this.status = status
    this.code = code
  }
}

/** The host sent something that is not what the protocol says (or not from a share host at all). */
export class ShareHostReplyError extends CareKeyError {
  constructor(detail: string, options?: ErrorOptions) {
    super(`The share host sent a reply CareKey cannot read (${detail}).`, 'Check the share host address, or try again later.', options)
  }
}

function refusalHint(status: number, code: string): string {
  if (code === 'quota_exceeded') return 'Stop sharing an older QR code first, or share fewer records.'
  if (code === 'grant_inactive') return 'This consent was revoked or has ended: give a new consent to share again.'
  if (status === 401) return "Check that this device's clock is right, then try again."
  if (status === 403) return 'Only the patient who granted the consent can manage its share.'
  if (status === 409) return 'Reload the share and try again.'
  if (status === 413) return 'Share fewer records at once.'
  return 'Try again. If it keeps failing, the share host may need an update.'
}

// ---------------------------------------------------------------------------------------------
// The patient's side

/**
 * Stores a new share (its encrypted files) at the host, signed by the patient. The host checks
 * on chain that the patient has an active grant with this commitment.
 *
 * @example
 * const status = await createShare(target, patient, {
 *   id: newShareId(), patient: patient.address, commitment, passcode: '2468',
 *   files: [{ contentType: 'application/fhir+json', jwe: await encryptShareFile(JSON.stringify(bundle), key) }],
 * })
 */
export async function createShare(target: ShareHostTarget, patient: PatientSigner, share: NewShare): Promise<ShareStatus> {
  return signedRequest(
    target,
    patient,
    { method: 'POST', path: '/api/shares', action: 'create-share', shareId: share.id, commitment: share.commitment, body: JSON.stringify(share) },
    shareStatusSchema,
  )
}

/**
 * Replaces a share's files (encrypted under the same link key, each with a fresh IV).
 *
 * @example
 * await updateShareFiles(target, patient, shareId, [{ contentType: 'application/fhir+json', jwe }])
 */
export async function updateShareFiles(
  target: ShareHostTarget,
  patient: PatientSigner,
  shareId: string,
  files: ShareFileUpload[],
): Promise<ShareStatus> {
  return signedRequest(target, patient, { method: 'PUT', path: `/api/shares/${shareId}/files`, action: 'update-files', shareId, body: JSON.stringify({ files }) }, shareStatusSchema)
}

/**
 * Deactivates a share: the host deletes its files and answers 404 from then on. What was
 * already viewed cannot be recalled. Deactivating twice is fine.
 *
 * @example
 * await deactivateShare(target, patient, shareId)
 */
export async function deactivateShare(target: ShareHostTarget, patient: PatientSigner, shareId: string): Promise<ShareStatus> {
  return signedRequest(target, patient, { method: 'DELETE', path: `/api/shares/${shareId}`, action: 'deactivate-share', shareId, body: '' }, shareStatusSchema)
}

/**
 * Reads a share's status and access log (who opened it, when, with their verified address
 * when they signed), oldest first.
 *
 * @example
 * const { share, entries } = await readShareAccessLog(target, patient, shareId)
 */
export async function readShareAccessLog(target: ShareHostTarget, patient: PatientSigner, shareId: string): Promise<ShareAccessLog> {
  return signedRequest(target, patient, { method: 'GET', path: `/api/shares/${shareId}/access-log`, action: 'read-access-log', shareId, body: '' }, accessLogReplySchema)
}

async function signedRequest<Schema extends z.ZodType>(
  target: ShareHostTarget,
  signer: PatientSigner,
  request: { method: string; path: string } & ShareRequestSubject,
  schema: Schema,
): Promise<z.infer<Schema>> {
  const { method, path, ...subject } = request
  const { authorization } = await signShareRequest(signer, {
    chainId: target.chainId,
    registry: target.registry,
    host: hostOf(target),
    ...subject,
    ...(target.clock && { now: target.clock() }),
  })
  const response = await send(target.fetch, `${hostOf(target)}${path}`, {
    method,
    headers: { authorization, ...(request.body !== '' && { 'content-type': 'application/json' }) },
    ...(request.body !== '' && { body: request.body }),
  })
  if (!response.ok) throw await refusal(response)
  return parseReply(await readJson(response), schema)
}

const hostOf = (target: ShareHostTarget) => target.hostUrl.replace(/\/+$/, '')

// ---------------------------------------------------------------------------------------------
// The recipient's side

export type OpenShareOptions = {
  /** Who is opening it, as the patient will read it in their access log. */
  recipient: string
  passcode?: string
  /** When the recipient has a wallet: signs a proof of their address for the access log (CareKey links only). */
  recipientSigner?: RecipientSigner
  /** Largest decrypted file accepted (a share is untrusted input). */
  maxFileBytes?: number
  fetch?: FetchLike
  /** Unix milliseconds, for the expiry of the recipient proof; Date.now by default. */
  clock?: () => number
}

export type OpenedShareFile = {
  contentType: string
  /** The decrypted file, parsed as JSON (FHIR for CareKey shares); the caller checks its shape. */
  content: unknown
  /** The decrypted bytes exactly as the patient encrypted them (what a grant's dataHash covers). */
  plaintext: Uint8Array
}

export type OpenedShare = {
  /** Absent for a flag-U link, which has no manifest. */
  manifest: ShlManifest | undefined
  files: OpenedShareFile[]
}

/**
 * Opens a SMART Health Link as a viewer: asks the host for the manifest (with the passcode,
 * and a signed recipient proof when a wallet is given), fetches the files, decrypts them with
 * the link's key and parses them. Works for any conformant host; CareKey links also let the
 * recipient sign. Throws ShareNotAvailableError, WrongSharePasscodeError, ShareHostBusyError,
 * ShareHostUnreachableError, ShareHostReplyError or ShareFileUnreadableError.
 *
 * @example
 * const { payload } = decodeShlink(scanned)
 * const { files } = await openShareLink(payload, { recipient: 'Dr. Ada Lovelace', passcode })
 */
export async function openShareLink(payload: ShlPayload, options: OpenShareOptions): Promise<OpenedShare> {
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_SHARE_FILE_BYTES
  if (hasFlag(payload, 'U')) {
    const url = new URL(payload.url)
    url.searchParams.set('recipient', options.recipient)
    const jwe = await fetchJwe(options.fetch, url.toString(), maxBytes)
    return { manifest: undefined, files: [await openFile(jwe, payload.key, undefined, maxBytes)] }
  }

  const body: ShlManifestRequest = {
    recipient: options.recipient,
    embeddedLengthMax: VIEWER_EMBEDDED_LENGTH_MAX,
    ...(options.passcode !== undefined && { passcode: options.passcode }),
  }
  const carekey = readCareKeyExtension(payload)
  if (options.recipientSigner && carekey) {
    body._recipientProof = await signRecipientProof(options.recipientSigner, {
      chainId: carekey.chainId,
      registry: carekey.registry,
      manifestUrl: payload.url,
      recipient: options.recipient,
      ...(options.clock && { now: options.clock() }),
    })
  }
  const response = await send(options.fetch, payload.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (response.status === 401) {
    // The spec's 401 body is only `{ remainingAttempts }`; other hosts add nothing else.
    const reply = wrongPasscodeReplySchema.safeParse(await readJson(response).catch(() => undefined))
    if (!reply.success) throw new ShareHostReplyError('a 401 reply without remainingAttempts')
    throw new WrongSharePasscodeError(reply.data.remainingAttempts, options.passcode !== undefined)
  }
  if (!response.ok) throw await refusal(response)
  const manifest = parseReply(await readJson(response), manifestSchema)

  const files: OpenedShareFile[] = []
  for (const file of manifest.files) {
    const jwe = file.embedded ?? (file.location !== undefined ? await fetchJwe(options.fetch, file.location, maxBytes) : undefined)
    if (jwe === undefined) throw new ShareHostReplyError('a manifest file with neither location nor embedded content')
    files.push(await openFile(jwe, payload.key, file.contentType, maxBytes))
  }
  return { manifest, files }
}

/**
 * The manifest URL a CareKey share gets at a host, for building its link.
 *
 * @example
 * encodeShlink({ url: shareManifestUrl(target, id), key, flags: ['P'] })
 */
export function shareManifestUrl(target: Pick<ShareHostTarget, 'hostUrl'>, shareId: string): string {
  return manifestUrlFor(target.hostUrl, shareId)
}

async function openFile(jwe: string, key: string, listedType: string | undefined, maxBytes: number): Promise<OpenedShareFile> {
  const { plaintext, contentType } = await decryptShareFile(jwe, key, { maxBytes })
  // The manifest is not encrypted; the JWE header is authenticated. They must agree.
  if (listedType !== undefined && contentType !== undefined && contentType !== listedType) {
    throw new ShareFileUnreadableError(`the manifest lists ${listedType} but the file says ${contentType}`)
  }
  const type = contentType ?? listedType
  if (type === undefined) throw new ShareFileUnreadableError('it does not say what it contains')
  try {
    return { contentType: type, content: JSON.parse(utf8.decode(plaintext)) as unknown, plaintext }
  } catch (cause) {
    throw new ShareFileUnreadableError('its content is not JSON', { cause })
  }
}

async function fetchJwe(fetchImpl: FetchLike | undefined, url: string, maxBytes: number): Promise<string> {
  const response = await send(fetchImpl, url, { method: 'GET' })
  if (!response.ok) throw await refusal(response)
  // Base64url text of the ciphertext: a little over 4/3 of the file, compressed or not.
  return (await readCapped(response, Math.ceil((maxBytes * 4) / 3) + 4096)).trim()
}

// ---------------------------------------------------------------------------------------------
// HTTP plumbing

async function send(fetchImpl: FetchLike | undefined, url: string, init: RequestInit): Promise<Response> {
  try {
    return await (fetchImpl ?? fetch)(url, { ...init, cache: 'no-store', credentials: 'omit' })
  } catch (cause) {
    throw new ShareHostUnreachableError({ cause })
  }
}

async function refusal(response: Response): Promise<CareKeyError> {
  if (response.status === 404) return new ShareNotAvailableError()
  if (response.status === 429 || response.status === 503) {
    const retryAfter = Number(response.headers.get('retry-after'))
    return new ShareHostBusyError(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined)
  }
  const reply = errorReplySchema.safeParse(await readJson(response).catch(() => undefined))
  return reply.success
    ? new ShareHostRefusedError(response.status, reply.data.error, reply.data.detail)
    : new ShareHostRefusedError(response.status, `http_${response.status}`, undefined)
}

async function readJson(response: Response): Promise<unknown> {
  const type = response.headers.get('content-type') ?? ''
  if (!/^application\/json\b/i.test(type)) throw new ShareHostReplyError(`content type "${type.slice(0, 40)}" instead of JSON`)
  const text = await readCapped(response, MAX_REPLY_BYTES)
  try {
    return JSON.parse(text) as unknown
  } catch (cause) {
    throw new ShareHostReplyError('a reply that is not JSON', { cause })
  }
}

function parseReply<Schema extends z.ZodType>(json: unknown, schema: Schema): z.infer<Schema> {
  const parsed = schema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new ShareHostReplyError(issue ? `${issue.path.join('.') || 'reply'}: ${issue.message}` : 'unexpected reply', { cause: parsed.error })
  }
  return parsed.data
}

/** Reads a body as text, refusing more than `maxBytes` without reading it all into memory. */
async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'))
  if (Number.isFinite(declared) && declared > maxBytes) throw new ShareHostReplyError(`a reply of ${declared} bytes, more than ${maxBytes}`)
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let length = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    length += value.byteLength
    if (length > maxBytes) {
      await reader.cancel()
      throw new ShareHostReplyError(`a reply longer than ${maxBytes} bytes`)
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(length)
  let at = 0
  for (const chunk of chunks) {
    bytes.set(chunk, at)
    at += chunk.byteLength
  }
  try {
    return utf8.decode(bytes)
  } catch (cause) {
    throw new ShareHostReplyError('a reply that is not UTF-8 text', { cause })
  }
}
