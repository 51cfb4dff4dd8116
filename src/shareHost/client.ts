/**
 * The share host's client, for the patient (create a share, replace its files, deactivate it,
 * read its access log; each request signed by the wallet) and for the clinician (read the grant
 * behind a CareKey link, open a SMART Health Link: manifest, files, decryption). No React: hooks wrap these in React Query.
 * Every reply is parsed here, at the boundary, into a typed value or a CareKeyError.
 */
import type { Address } from 'viem'
import type { z } from 'zod'
import { CareKeyError } from '../domain/errors.ts'
import { utf8 } from '../domain/crypto/bytes.ts'
import {
  accessLogReplySchema,
  decryptShareFile,
  decryptShareGrant,
  errorReplySchema,
  SHARE_LOCKED_ERROR,
  hasFlag,
  inspectShareFile,
  manifestSchema,
  manifestUrlFor,
  MAX_SHARE_GRANT_LENGTH,
  shareGrantUrl,
  ShareGrantMissingError,
  ShareGrantTooLargeError,
  shareStatusSchema,
  signRecipientProof,
  signShareRequest,
  ShareFileTooLargeError,
  ShareFileUnreadableError,
  wrongPasscodeReplySchema,
  type CareKeyShareInfo,
  type NewShare,
  type RecipientProofTypedData,
  type ShareGrant,
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
import {
  MAX_ERROR_REPLY_BYTES,
  MAX_MANAGEMENT_REPLY_BYTES,
  SHARE_MANAGEMENT_TIMEOUT_MS,
  SHARE_OPEN_LIMITS,
  VIEWER_EMBEDDED_LENGTH_MAX,
  type ShareOpenLimits,
} from './limits.ts'

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

// ---------------------------------------------------------------------------------------------
// Errors

/** The link is unknown to its host, deactivated, expired, locked, or its grant is not active. */
export class ShareNotAvailableError extends CareKeyError {
  constructor(
    options?: ErrorOptions,
    words: { message: string; hint: string } = {
      message: 'This share is not available: it was stopped, it ended, or its consent is no longer active.',
      hint: 'Ask the patient to show a new consent QR code.',
    },
  ) {
    super(words.message, words.hint, options)
  }
}

/**
 * The link was closed for good after too many wrong passcodes: the host says so (404
 * `share_locked`), or the last wrong passcode used up the attempts. Its consent may well be
 * active: only a new QR code opens the records again.
 */
export class ShareLockedError extends ShareNotAvailableError {
  constructor(options?: ErrorOptions) {
    super(options, {
      message: 'Too many wrong passcodes were typed, so the share host locked this link for good. It no longer opens, even with the right passcode.',
      hint: 'Ask the patient to make a new consent QR code.',
    })
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
          : 'That passcode is not right, and no attempts are left: the share host has locked this link for good.'
        : 'This share needs the passcode the patient chose.',
      remainingAttempts > 0 ? 'Ask the patient for the passcode, then type it exactly.' : 'Ask the patient to make a new consent QR code.',
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

/** The share host took longer than the client waits (see limits.ts): a request, its body included. */
export class ShareHostTimeoutError extends CareKeyError {
  readonly timeoutMs: number

  constructor(timeoutMs: number) {
    super(
      `The share host did not answer in time (within ${Math.round(timeoutMs / 1000)} seconds).`,
      'Check the connection and try again. If it keeps happening, the share host may be down or overloaded.',
    )
    this.timeoutMs = timeoutMs
  }
}

/** A manifest lists more files than the viewer opens (see limits.ts): not a share the patient's app makes. */
export class ShareTooManyFilesError extends CareKeyError {
  readonly fileCount: number
  readonly limit: number

  constructor(fileCount: number, limit: number) {
    super(
      `This share lists ${fileCount} files, more than the ${limit} CareKey opens.`,
      'Ask the patient to share again with fewer records, and check that the QR code came from their CareKey app.',
    )
    this.fileCount = fileCount
    this.limit = limit
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
 * Stores a new share (its encrypted files, and its grant encrypted under the same key) at the
 * host, signed by the patient. The host checks on chain that the patient has an active grant
 * with this commitment.
 *
 * @example
 * const status = await createShare(target, patient, {
 *   id: newShareId(), patient: patient.address, commitment, passcode: '2468',
 *   files: [{ contentType: 'application/fhir+json', jwe: await encryptShareFile(JSON.stringify(bundle), key) }],
 *   grant: await encryptShareGrant({ chainId, registry, terms }, key),
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
  const init: RequestInit = {
    method,
    headers: { authorization, ...(request.body !== '' && { 'content-type': 'application/json' }) },
    ...(request.body !== '' && { body: request.body }),
  }
  return exchange(target.fetch, `${hostOf(target)}${path}`, init, SHARE_MANAGEMENT_TIMEOUT_MS, async (response, signal) => {
    if (!response.ok) throw await refusal(response, signal)
    return parseReply(await readJson(response, signal, MAX_MANAGEMENT_REPLY_BYTES), schema)
  })
}

const hostOf = (target: ShareHostTarget) => target.hostUrl.replace(/\/+$/, '')

// ---------------------------------------------------------------------------------------------
// The recipient's side

export type OpenShareOptions = {
  /** Who is opening it, as the patient will read it in their access log. */
  recipient: string
  passcode?: string
  /** When the recipient has a wallet: signs a proof of their address for the access log (CareKey links only: with `carekey`). */
  recipientSigner?: RecipientSigner
  /** The chain and registry of a CareKey link's grant: the domain of the recipient's proof. */
  carekey?: Pick<CareKeyShareInfo, 'chainId' | 'registry'>
  /** Other limits than SHARE_OPEN_LIMITS (limits.ts), field by field; tests make them small. */
  limits?: Partial<ShareOpenLimits>
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

/** A file a share lists, neither fetched (when it has a location) nor decrypted yet. */
export type ListedShareFile = {
  /** What it holds, as the manifest lists it (for a flag-U link, as the file's own header says). */
  readonly contentType: string
  /**
   * Fetches this one file when it has a location, decrypts it with the link's key and parses
   * it, within the link's limits. Each call fetches and decrypts afresh: keep only the file
   * shown. Throws like listShareFiles, and ShareFileTooLargeError or ShareFileUnreadableError.
   */
  open(): Promise<OpenedShareFile>
}

export type ListedShare = {
  /** Absent for a flag-U link, which has no manifest. */
  manifest: ShlManifest | undefined
  files: readonly ListedShareFile[]
}

export type OpenedShare = {
  /** Absent for a flag-U link, which has no manifest. */
  manifest: ShlManifest | undefined
  files: OpenedShareFile[]
}

/**
 * Opens a SMART Health Link as a viewer, up to its list of files: asks the host for the
 * manifest (with the passcode, and a signed recipient proof when a wallet is given) and lists
 * its files without fetching or decrypting any; each file's `open()` does that for that file
 * alone, so a viewer decrypts only the file it shows. Works for any conformant host; CareKey
 * links also let the recipient sign. Within SHARE_OPEN_LIMITS (limits.ts): every request times
 * out, bodies are read as a stream and cut off past their cap, and a manifest lists at most
 * `maxFiles` files. Throws ShareNotAvailableError, WrongSharePasscodeError, ShareHostBusyError,
 * ShareHostUnreachableError, ShareHostTimeoutError, ShareHostReplyError, ShareTooManyFilesError,
 * ShareFileTooLargeError or ShareFileUnreadableError.
 *
 * @example
 * const { payload } = decodeShlink(scanned)
 * const { files } = await listShareFiles(payload, { recipient: 'Dr. Ada Lovelace', passcode })
 * const shown = await files.find((f) => f.contentType === 'application/fhir+json')?.open()
 */
export async function listShareFiles(payload: ShlPayload, options: OpenShareOptions): Promise<ListedShare> {
  const limits: ShareOpenLimits = { ...SHARE_OPEN_LIMITS, ...options.limits }
  const reader = shareFileReader(payload.key, limits, options.fetch)

  if (hasFlag(payload, 'U')) {
    // The link is the file itself: fetched once here (the host logs this request as the opening).
    const url = new URL(payload.url)
    url.searchParams.set('recipient', options.recipient)
    const jwe = await reader.fetch(url.toString())
    const { cty } = inspectShareFile(jwe)
    if (cty === undefined) throw new ShareFileUnreadableError('it does not say what it contains')
    return { manifest: undefined, files: [{ contentType: cty, open: () => reader.decrypt(jwe, cty) }] }
  }

  const body: ShlManifestRequest = {
    recipient: options.recipient,
    embeddedLengthMax: Math.min(VIEWER_EMBEDDED_LENGTH_MAX, limits.maxFileBytes),
    ...(options.passcode !== undefined && { passcode: options.passcode }),
  }
  const { carekey } = options
  if (options.recipientSigner && carekey) {
    body._recipientProof = await signRecipientProof(options.recipientSigner, {
      chainId: carekey.chainId,
      registry: carekey.registry,
      manifestUrl: payload.url,
      recipient: options.recipient,
      ...(options.clock && { now: options.clock() }),
    })
  }
  const init: RequestInit = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
  const manifest = await exchange(options.fetch, payload.url, init, limits.timeoutMs, async (response, signal) => {
    if (response.status === 401) {
      // The spec's 401 body is only `{ remainingAttempts }`; other hosts add nothing else.
      const reply = wrongPasscodeReplySchema.safeParse(await readJson(response, signal, MAX_ERROR_REPLY_BYTES).catch(() => undefined))
      if (!reply.success) throw new ShareHostReplyError('a 401 reply without remainingAttempts')
      throw new WrongSharePasscodeError(reply.data.remainingAttempts, options.passcode !== undefined)
    }
    if (!response.ok) throw await refusal(response, signal)
    const json = await readJson(response, signal, limits.maxManifestBytes)
    // Counted before the schema reads every entry.
    const listed = typeof json === 'object' && json !== null && 'files' in json && Array.isArray(json.files) ? json.files.length : 0
    if (listed > limits.maxFiles) throw new ShareTooManyFilesError(listed, limits.maxFiles)
    return parseReply(json, manifestSchema)
  })

  const files = manifest.files.map(
    (file): ListedShareFile => ({
      contentType: file.contentType,
      open: async () => {
        const jwe = file.embedded !== undefined ? reader.take(file.embedded) : file.location !== undefined ? await reader.fetch(file.location) : undefined
        if (jwe === undefined) throw new ShareHostReplyError('a manifest file with neither location nor embedded content')
        return reader.decrypt(jwe, file.contentType)
      },
    }),
  )
  return { manifest, files }
}

/** What reading a grant may take: the host's `fetch`, and other limits than SHARE_OPEN_LIMITS (only `timeoutMs` applies). */
export type FetchShareGrantOptions = Pick<OpenShareOptions, 'fetch' | 'limits'>

/**
 * Reads the grant behind a CareKey link whose `_ck` says it is at the host: fetches it from
 * beside the manifest (`<url>/grant`, no passcode) and decrypts it with the link's key. The
 * caller checks it on chain before it asks for the passcode. Throws ShareGrantMissingError (the
 * host does not have it), ShareGrantTooLargeError, ShareGrantUnreadableError (changed, another
 * key, not a grant), ShareHostBusyError, ShareHostUnreachableError, ShareHostTimeoutError or
 * ShareHostRefusedError.
 *
 * @example
 * const { payload } = decodeShlink(scanned)
 * if (readCareKeyExtension(payload)?.grant === 'at-host') grant = await fetchShareGrant(payload)
 */
export async function fetchShareGrant(payload: Pick<ShlPayload, 'url' | 'key'>, options: FetchShareGrantOptions = {}): Promise<ShareGrant> {
  const timeoutMs = options.limits?.timeoutMs ?? SHARE_OPEN_LIMITS.timeoutMs
  const jwe = await exchange(options.fetch, shareGrantUrl(payload.url), { method: 'GET' }, timeoutMs, async (response, signal) => {
    if (response.status === 404) throw new ShareGrantMissingError()
    if (!response.ok) throw await refusal(response, signal)
    return decodeText(await readCapped(response, MAX_SHARE_GRANT_LENGTH, signal, () => new ShareGrantTooLargeError(MAX_SHARE_GRANT_LENGTH)))
  })
  return decryptShareGrant(jwe, payload.key)
}

/**
 * Opens a SMART Health Link and every file it lists, one after the other (for tools and
 * tests; a viewer lists the files with listShareFiles and opens only the one it shows). Same
 * limits and errors as listShareFiles.
 *
 * @example
 * const { payload } = decodeShlink(scanned)
 * const { files } = await openShareLink(payload, { recipient: 'Dr. Ada Lovelace', passcode })
 */
export async function openShareLink(payload: ShlPayload, options: OpenShareOptions): Promise<OpenedShare> {
  const listed = await listShareFiles(payload, options)
  const files: OpenedShareFile[] = []
  for (const file of listed.files) files.push(await file.open())
  return { manifest: listed.manifest, files }
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

/**
 * Fetches and decrypts one link's files within its limits: each encrypted file within
 * `maxFileBytes`, and all of them together (every time one is opened) within `maxTotalBytes`.
 */
function shareFileReader(key: string, limits: ShareOpenLimits, fetchImpl: FetchLike | undefined) {
  let used = 0
  /** The cap on the next file: its own, or what is left of the link's total when that is less. */
  const room = () => {
    const left = Math.max(0, limits.maxTotalBytes - used)
    return left < limits.maxFileBytes ? { bytes: left, limit: limits.maxTotalBytes } : { bytes: limits.maxFileBytes, limit: limits.maxFileBytes }
  }
  return {
    /** An embedded file, counted. */
    take(jwe: string): string {
      const { bytes, limit } = room()
      if (jwe.length > bytes) throw new ShareFileTooLargeError(limit)
      used += jwe.length
      return jwe
    },
    /** A file from its location: read as a stream, cancelled as soon as it passes the cap. */
    fetch(url: string): Promise<string> {
      const { bytes, limit } = room()
      return exchange(fetchImpl, url, { method: 'GET' }, limits.timeoutMs, async (response, signal) => {
        if (!response.ok) throw await refusal(response, signal)
        const body = await readCapped(response, bytes, signal, () => new ShareFileTooLargeError(limit))
        used += body.byteLength
        return decodeText(body).trim()
      })
    },
    decrypt: (jwe: string, listedType: string) => openFile(jwe, key, listedType, limits.maxDecryptedFileBytes),
  }
}

async function openFile(jwe: string, key: string, listedType: string, maxBytes: number): Promise<OpenedShareFile> {
  const { plaintext, contentType } = await decryptShareFile(jwe, key, { maxBytes })
  // The manifest is not encrypted; the JWE header is authenticated. They must agree.
  if (contentType !== undefined && contentType !== listedType) {
    throw new ShareFileUnreadableError(`the manifest lists ${listedType} but the file says ${contentType}`)
  }
  try {
    return { contentType: listedType, content: JSON.parse(utf8.decode(plaintext)) as unknown, plaintext }
  } catch (cause) {
    throw new ShareFileUnreadableError('its content is not JSON', { cause })
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP plumbing (shared with the online backup's client, backups.ts)

/**
 * One request to a share host, its reply read by `read` within `timeoutMs` from the start:
 * past it the request and its body are aborted and ShareHostTimeoutError is thrown, whatever
 * the `fetch` given does with the signal. A network failure is ShareHostUnreachableError.
 */
export async function exchange<T>(
  fetchImpl: FetchLike | undefined,
  url: string,
  init: RequestInit,
  timeoutMs: number,
  read: (response: Response, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController()
  const { signal } = controller
  const timer = setTimeout(() => controller.abort(new ShareHostTimeoutError(timeoutMs)), timeoutMs)
  let response: Response | undefined
  try {
    const sent = (fetchImpl ?? fetch)(url, { ...init, signal, cache: 'no-store', credentials: 'omit' }).catch((cause: unknown) => {
      throw signal.aborted ? (signal.reason as unknown) : new ShareHostUnreachableError({ cause })
    })
    response = await untilAborted(signal, sent)
    return await read(response, signal)
  } finally {
    clearTimeout(timer)
    // A reply left unread (a refusal without a body worth reading) is let go at once.
    if (response?.body && !response.bodyUsed) void response.body.cancel().catch(() => undefined)
  }
}

/** Settles as `work` does, or rejects with the signal's reason as soon as it aborts. */
function untilAborted<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  if (signal.aborted) {
    void work.catch(() => undefined)
    return Promise.reject(signal.reason as Error)
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error)
    signal.addEventListener('abort', onAbort, { once: true })
    void work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

async function refusal(response: Response, signal: AbortSignal): Promise<CareKeyError> {
  if (response.status === 429 || response.status === 503) {
    const retryAfter = Number(response.headers.get('retry-after'))
    return new ShareHostBusyError(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined)
  }
  const reply = errorReplySchema.safeParse(
    await readJson(response, signal, MAX_ERROR_REPLY_BYTES).catch((error: unknown) => {
      if (error instanceof ShareHostTimeoutError) throw error
      return undefined
    }),
  )
  // Another SMART Health Links host answers 404 with any body, or none: not available.
  if (response.status === 404) return reply.success && reply.data.error === SHARE_LOCKED_ERROR ? new ShareLockedError() : new ShareNotAvailableError()
  return reply.success
    ? new ShareHostRefusedError(response.status, reply.data.error, reply.data.detail)
    : new ShareHostRefusedError(response.status, `http_${response.status}`, undefined)
}

export async function readJson(response: Response, signal: AbortSignal, maxBytes: number): Promise<unknown> {
  const type = response.headers.get('content-type') ?? ''
  if (!/^application\/json\b/i.test(type)) throw new ShareHostReplyError(`content type "${type.slice(0, 40)}" instead of JSON`)
  const text = decodeText(await readCapped(response, maxBytes, signal, () => new ShareHostReplyError(`a reply longer than ${maxBytes} bytes`)))
  try {
    return JSON.parse(text) as unknown
  } catch (cause) {
    throw new ShareHostReplyError('a reply that is not JSON', { cause })
  }
}

export function parseReply<Schema extends z.ZodType>(json: unknown, schema: Schema): z.infer<Schema> {
  const parsed = schema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new ShareHostReplyError(issue ? `${issue.path.join('.') || 'reply'}: ${issue.message}` : 'unexpected reply', { cause: parsed.error })
  }
  return parsed.data
}

/**
 * Reads a body chunk by chunk and stops (cancelling the stream) as soon as it passes
 * `maxBytes`, or refuses it unread when its declared length already does: a hostile host
 * cannot make the tab hold more than the cap. Throws `tooLarge()`, the exchange's timeout, or
 * ShareHostUnreachableError when the connection drops mid-body.
 */
export async function readCapped(response: Response, maxBytes: number, signal: AbortSignal, tooLarge: () => CareKeyError): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(response.headers.get('content-length'))
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge()
  if (!response.body) return new Uint8Array()
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let length = 0
  try {
    for (;;) {
      const { done, value } = await untilAborted(signal, reader.read())
      if (done) break
      length += value.byteLength
      if (length > maxBytes) throw tooLarge()
      chunks.push(value)
    }
  } catch (error) {
    void reader.cancel().catch(() => undefined)
    if (error instanceof CareKeyError) throw error
    throw new ShareHostUnreachableError({ cause: error })
  }
  const bytes = new Uint8Array(length)
  let at = 0
  for (const chunk of chunks) {
    bytes.set(chunk, at)
    at += chunk.byteLength
  }
  return bytes
}

function decodeText(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes)
  } catch (cause) {
    throw new ShareHostReplyError('a reply that is not UTF-8 text', { cause })
  }
}
