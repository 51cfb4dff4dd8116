/**
 * SMART Health Links (HL7 SMART Health Cards and Links IG, STU1): the payload a QR code or a
 * link carries, its `shlink:/` encoding, and the rules a payload must meet. Pure; no I/O.
 */
import { fromBase64Url, toBase64Url, utf8 } from '../crypto/bytes.ts'
import { InvalidShareLinkError, UnsupportedShareLinkVersionError } from './errors.ts'

/** `L` long-term (the manifest may change), `P` passcode required, `U` the url is a single file (GET). */
export type ShlFlag = 'L' | 'P' | 'U'

/** Property names starting with `_` are reserved for implementations; other viewers ignore them. */
export type ShlExtensionName = `_${string}`

/** A SMART Health Link payload, validated. */
export type ShlPayload = {
  /** The manifest URL (or, with flag `U`, the file URL): at most 128 characters, at least 256 random bits. */
  readonly url: string
  /** The files' decryption key: 32 bytes, base64url (43 characters). */
  readonly key: string
  /** Expiry hint, in seconds since the epoch. The host enforces the real expiry. */
  readonly exp?: number
  /** The flags, alphabetical and without repeats. Unknown flag letters are dropped, as the spec asks. */
  readonly flags: readonly ShlFlag[]
  /** A short description for people, at most 80 characters. */
  readonly label?: string
  /** Protocol version; absent means 1. */
  readonly v?: number
  /** The `_`-prefixed extension properties, as found (see carekeyExtension.ts for CareKey's own). */
  readonly extensions: Readonly<Record<ShlExtensionName, unknown>>
}

/** What a payload is built from; `flags` may be in any order. */
export type ShlPayloadInput = Omit<ShlPayload, 'flags' | 'extensions'> & {
  flags?: readonly ShlFlag[]
  extensions?: Readonly<Record<ShlExtensionName, unknown>>
}

/** A link as scanned or pasted: its payload and, when it had one, the viewer URL in front of it. */
export type DecodedShlink = {
  readonly payload: ShlPayload
  /** The viewer URL before `#shlink:/`, when the link had one. */
  readonly viewerUrl: string | undefined
}

export const SHLINK_PREFIX = 'shlink:/'
export const MAX_URL_LENGTH = 128
export const MAX_LABEL_LENGTH = 80
export const KEY_LENGTH = 43
/** The highest protocol version this code understands. */
export const SUPPORTED_SHL_VERSION = 1
/** The spec asks for at least 256 bits of entropy in the manifest URL. */
export const MIN_URL_ENTROPY_BITS = 256

/** Longer text is not a link anyone would show in a QR code; refuse it before decoding. */
export const MAX_LINK_LENGTH = 16_384
const KNOWN_FLAGS: readonly ShlFlag[] = ['L', 'P', 'U']

/**
 * Encodes a payload as a bare `shlink:/…` URI (minified JSON, base64url), checking it first
 * against the same rules `decodeShlink` applies.
 *
 * @example
 * encodeShlink({ url: 'https://share.example.org/shl/Y9xwkUdtmN9wwoJoN3ffJIhX2UGvCL1JnlPVNL3kDWM', key: newShareKey(), flags: ['P'] })
 * // 'shlink:/eyJ1cmwiOi…'
 */
export function encodeShlink(input: ShlPayloadInput): string {
  const payload = validatePayload(toJson(input))
  return SHLINK_PREFIX + toBase64Url(utf8.encode(JSON.stringify(toJson(payload))))
}

/**
 * Encodes a payload behind a viewer URL (`<viewerUrl>#shlink:/…`), the form a QR code shows so
 * that a phone camera opens the viewer. The fragment never reaches the viewer's server.
 *
 * @example
 * shlinkViewerUrl('https://carekey.example.org/view', payload) // 'https://carekey.example.org/view#shlink:/eyJ…'
 */
export function shlinkViewerUrl(viewerUrl: string, input: ShlPayloadInput): string {
  const base = viewerUrl.replace(/#.*$/, '')
  return `${base}#${encodeShlink(input)}`
}

/**
 * Reads a SMART Health Link from a QR code or pasted text: a bare `shlink:/…`, or any URL with
 * `#shlink:/…`, with surrounding whitespace. Throws InvalidShareLinkError naming the field and
 * the problem, or UnsupportedShareLinkVersionError for a newer protocol version.
 *
 * @example
 * const { payload } = decodeShlink('  https://carekey.example.org/view#shlink:/eyJ1cmwiOi… ')
 * payload.flags.includes('P') // true when a passcode is needed
 */
export function decodeShlink(text: string): DecodedShlink {
  const trimmed = text.trim()
  if (trimmed === '') throw new InvalidShareLinkError('link', 'is empty')
  if (trimmed.length > MAX_LINK_LENGTH) throw new InvalidShareLinkError('link', `is ${trimmed.length} characters long, far more than a share link`)
  const { encoded, viewerUrl } = splitLink(trimmed)
  if (encoded === '') throw new InvalidShareLinkError('link', 'has nothing after "shlink:/"')
  let json: unknown
  try {
    json = JSON.parse(utf8.decode(fromBase64Url(encoded)))
  } catch (cause) {
    throw new InvalidShareLinkError('link', 'is damaged: the part after "shlink:/" is not base64url-encoded JSON', { cause })
  }
  return { payload: validatePayload(json), viewerUrl }
}

/**
 * True when the payload has the flag.
 *
 * @example
 * if (hasFlag(payload, 'P')) askForPasscode()
 */
export function hasFlag(payload: Pick<ShlPayload, 'flags'>, flag: ShlFlag): boolean {
  return payload.flags.includes(flag)
}

function splitLink(text: string): { encoded: string; viewerUrl: string | undefined } {
  const hash = text.indexOf('#')
  if (hash >= 0) {
    const fragment = text.slice(hash + 1)
    if (!startsWithPrefix(fragment)) throw new InvalidShareLinkError('link', 'has no "#shlink:/" part')
    return { encoded: fragment.slice(SHLINK_PREFIX.length), viewerUrl: text.slice(0, hash) }
  }
  if (!startsWithPrefix(text)) throw new InvalidShareLinkError('link', 'does not start with "shlink:/"')
  return { encoded: text.slice(SHLINK_PREFIX.length), viewerUrl: undefined }
}

// URI schemes are case-insensitive (RFC 3986); the base64url part after it is not.
const startsWithPrefix = (text: string) => text.slice(0, SHLINK_PREFIX.length).toLowerCase() === SHLINK_PREFIX

function toJson(payload: ShlPayloadInput | ShlPayload): Record<string, unknown> {
  const json: Record<string, unknown> = { url: payload.url, key: payload.key }
  if (payload.exp !== undefined) json.exp = payload.exp
  const flags = payload.flags ?? []
  if (flags.length > 0) json.flag = [...new Set(flags)].sort().join('')
  if (payload.label !== undefined) json.label = payload.label
  if (payload.v !== undefined) json.v = payload.v
  // fromEntries defines own properties: an extension named `__proto__` stays one, not a prototype.
  return { ...json, ...Object.fromEntries(Object.entries(payload.extensions ?? {})) }
}

function validatePayload(json: unknown): ShlPayload {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InvalidShareLinkError('link', 'does not hold a JSON object')
  }
  const raw = json as Record<string, unknown>

  // The version first: a newer protocol may change the other rules.
  const v = raw.v
  if (v !== undefined) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new InvalidShareLinkError('v', 'must be a whole number from 1')
    if (v > SUPPORTED_SHL_VERSION) throw new UnsupportedShareLinkVersionError(v)
  }

  const url = raw.url
  if (typeof url !== 'string') throw new InvalidShareLinkError('url', 'is missing')
  if (url.length > MAX_URL_LENGTH) throw new InvalidShareLinkError('url', `must be at most ${MAX_URL_LENGTH} characters, it has ${url.length}`)
  let parsedUrl: URL
  try {
    parsedUrl = new URL(url)
  } catch (cause) {
    throw new InvalidShareLinkError('url', 'is not a URL', { cause })
  }
  if (parsedUrl.protocol !== 'https:' && parsedUrl.protocol !== 'http:') throw new InvalidShareLinkError('url', 'must be an http(s) URL')
  const bits = urlEntropyBits(parsedUrl)
  if (bits < MIN_URL_ENTROPY_BITS) {
    throw new InvalidShareLinkError(
      'url',
      `must contain a random part of at least ${MIN_URL_ENTROPY_BITS} bits (such as 43 base64url characters); its longest random part has about ${bits} bits`,
    )
  }

  const key = raw.key
  if (typeof key !== 'string') throw new InvalidShareLinkError('key', 'is missing')
  if (key.length !== KEY_LENGTH) throw new InvalidShareLinkError('key', `must be ${KEY_LENGTH} characters, it has ${key.length}`)
  if (!/^[A-Za-z0-9_-]+$/.test(key)) throw new InvalidShareLinkError('key', 'must use only base64url characters (A-Z, a-z, 0-9, - and _)')
  // 43 characters carry 258 bits: the last one must leave the two spare bits zero (32 bytes exactly).
  if (toBase64Url(fromBase64Url(key)) !== key) throw new InvalidShareLinkError('key', 'is not the base64url encoding of 32 bytes')

  const exp = raw.exp
  if (exp !== undefined && (typeof exp !== 'number' || !Number.isFinite(exp) || exp <= 0)) {
    throw new InvalidShareLinkError('exp', 'must be a positive number of seconds since 1970')
  }

  const flags = parseFlags(raw.flag)

  const label = raw.label
  if (label !== undefined) {
    if (typeof label !== 'string') throw new InvalidShareLinkError('label', 'must be text')
    const length = [...label].length
    if (length > MAX_LABEL_LENGTH) throw new InvalidShareLinkError('label', `must be at most ${MAX_LABEL_LENGTH} characters, it has ${length}`)
  }

  // Own properties, as found: assigning `extensions[name] = value` would turn a `__proto__`
  // property (JSON.parse makes it an own one) into the object's prototype, and `_ck` read
  // through it.
  const extensions: Record<ShlExtensionName, unknown> = Object.fromEntries(Object.entries(raw).filter(([name]) => isExtensionName(name)))

  return {
    url,
    key,
    ...(exp !== undefined && { exp }),
    flags,
    ...(label !== undefined && { label }),
    ...(v !== undefined && { v }),
    extensions,
  }
}

function parseFlags(flag: unknown): ShlFlag[] {
  if (flag === undefined) return []
  if (typeof flag !== 'string') throw new InvalidShareLinkError('flag', 'must be text')
  if (!/^[A-Z]*$/.test(flag)) throw new InvalidShareLinkError('flag', `must be capital letters only, it is "${flag.slice(0, 10)}"`)
  const letters = [...flag]
  if (new Set(letters).size !== letters.length) throw new InvalidShareLinkError('flag', `repeats a letter in "${flag}"`)
  // Unknown letters are ignored: the spec lets later versions add flags that are safe to ignore.
  const flags = KNOWN_FLAGS.filter((f) => letters.includes(f))
  if (flags.includes('U') && flags.includes('P')) throw new InvalidShareLinkError('flag', 'cannot combine U (a single file) with P (passcode)')
  return flags
}

const isExtensionName = (name: string): name is ShlExtensionName => name.startsWith('_')

/**
 * Estimates the random bits in a URL's path and query: the largest of its base64url or hex
 * runs, counted at 6 (or 4) bits a character. A run with few distinct characters
 * (`aaaa…`) is not random and counts for nothing. The host name is not a secret, so it is skipped.
 *
 * @example
 * urlEntropyBits(new URL('https://share.example.org/shl/Y9xwkUdtmN9wwoJoN3ffJIhX2UGvCL1JnlPVNL3kDWM')) // 258
 */
export function urlEntropyBits(url: URL): number {
  const tokens = `${url.pathname} ${url.search}`.split(/[^A-Za-z0-9_-]+/)
  let best = 0
  for (const token of tokens) {
    const distinct = new Set(token).size
    const hex = /^[0-9a-fA-F]+$/.test(token)
    const bits = hex ? (distinct >= 10 ? token.length * 4 : 0) : distinct >= 16 ? token.length * 6 : 0
    best = Math.max(best, bits)
  }
  return best
}
