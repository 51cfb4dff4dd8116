/**
 * Share files as SMART Health Links require: JWE compact serialization, `alg: dir`,
 * `enc: A256GCM`, raw DEFLATE (`zip: DEF`) before encryption, and a `cty` header naming the
 * content. Works in the browser and in Node (WebCrypto and CompressionStream via jose).
 */
import { CompactEncrypt, compactDecrypt, errors as joseErrors } from 'jose'
import { fromBase64Url, randomBytes, toBase64Url, utf8 } from '../crypto/bytes.ts'
import { ShareFileTooLargeError, ShareFileUnreadableError } from './errors.ts'

/** The content types a SMART Health Links manifest may list. CareKey shares FHIR JSON. */
export const SHL_CONTENT_TYPES = ['application/fhir+json', 'application/smart-health-card', 'application/smart-api-access'] as const
export type ShlContentType = (typeof SHL_CONTENT_TYPES)[number]

/** Decompressed size above which a share file is refused: a share is untrusted input. */
export const DEFAULT_MAX_SHARE_FILE_BYTES = 32 * 1_048_576

/** The protected header of a share file, readable without the key. */
export type ShareFileHeader = {
  alg: 'dir'
  enc: 'A256GCM'
  cty: string | undefined
  zip: 'DEF' | undefined
}

/**
 * A fresh share key: 32 random bytes, base64url (43 characters), as the link's `key`.
 *
 * @example
 * const key = newShareKey() // 'rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7Q'
 */
export function newShareKey(): string {
  return toBase64Url(randomBytes(32))
}

/**
 * Encrypts one share file under the link's key. Every call uses a fresh random IV, as the
 * spec requires when one key encrypts several files and their updates.
 *
 * @example
 * const jwe = await encryptShareFile(JSON.stringify(bundle), key) // 'eyJhbGciOiJkaXIi…'
 */
export async function encryptShareFile(
  content: string | Uint8Array,
  key: string,
  options: { contentType?: ShlContentType; compress?: boolean } = {},
): Promise<string> {
  const plaintext = typeof content === 'string' ? utf8.encode(content) : content
  const header = {
    alg: 'dir',
    enc: 'A256GCM',
    cty: options.contentType ?? 'application/fhir+json',
    ...((options.compress ?? true) && { zip: 'DEF' }),
  }
  return new CompactEncrypt(plaintext).setProtectedHeader(header).encrypt(keyBytes(key))
}

/**
 * Decrypts a share file with the link's key, refusing anything but `dir` + `A256GCM` and
 * anything that decompresses to more than `maxBytes`. Throws ShareFileUnreadableError (wrong
 * key, changed bytes, not a JWE) or ShareFileTooLargeError.
 *
 * @example
 * const { plaintext, contentType } = await decryptShareFile(jwe, payload.key)
 * JSON.parse(utf8.decode(plaintext)) // the FHIR Bundle
 */
export async function decryptShareFile(
  jwe: string,
  key: string,
  options: { maxBytes?: number } = {},
): Promise<{ plaintext: Uint8Array; contentType: string | undefined }> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_SHARE_FILE_BYTES
  // Without compression the plaintext is as long as the ciphertext: bound the text first.
  if (jwe.length > Math.ceil((maxBytes * 4) / 3) + 4096) throw new ShareFileTooLargeError(maxBytes)
  const header = inspectShareFile(jwe)
  try {
    const { plaintext } = await compactDecrypt(jwe.trim(), keyBytes(key), {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
      maxDecompressedLength: maxBytes,
    })
    if (plaintext.length > maxBytes) throw new ShareFileTooLargeError(maxBytes)
    return { plaintext, contentType: header.cty }
  } catch (error) {
    if (error instanceof ShareFileTooLargeError) throw error
    if (error instanceof joseErrors.JWEInvalid && /exceeded/.test(error.message)) throw new ShareFileTooLargeError(maxBytes, { cause: error })
    if (error instanceof joseErrors.JOSEError) throw new ShareFileUnreadableError('the key does not open it, or it was changed', { cause: error })
    throw error
  }
}

/**
 * Checks that a text is a share file in the shape SMART Health Links require and reads its
 * protected header, without the key. The share host uses it to refuse anything but ciphertext.
 *
 * @example
 * inspectShareFile(jwe).cty // 'application/fhir+json'
 */
export function inspectShareFile(jwe: string): ShareFileHeader {
  const parts = jwe.trim().split('.')
  if (parts.length !== 5) throw new ShareFileUnreadableError('it is not a JWE in compact form')
  const [protectedHeader = '', encryptedKey, iv = '', ciphertext = '', tag = ''] = parts
  if (![protectedHeader, iv, ciphertext, tag].every((p) => /^[A-Za-z0-9_-]+$/.test(p))) {
    throw new ShareFileUnreadableError('its parts are not base64url')
  }
  if (encryptedKey !== '') throw new ShareFileUnreadableError('it carries a key, but a share file uses the link key directly')
  let header: unknown
  try {
    header = JSON.parse(utf8.decode(fromBase64Url(protectedHeader)))
  } catch (cause) {
    throw new ShareFileUnreadableError('its header is not JSON', { cause })
  }
  if (typeof header !== 'object' || header === null) throw new ShareFileUnreadableError('its header is not a JSON object')
  const h = header as Record<string, unknown>
  if (h.alg !== 'dir' || h.enc !== 'A256GCM') throw new ShareFileUnreadableError('it is not encrypted with alg "dir" and enc "A256GCM"')
  if (h.zip !== undefined && h.zip !== 'DEF') throw new ShareFileUnreadableError('it is compressed with something other than DEFLATE')
  if (h.cty !== undefined && typeof h.cty !== 'string') throw new ShareFileUnreadableError('its content type is not text')
  if (decodedLength(iv) !== 12 || decodedLength(tag) !== 16) throw new ShareFileUnreadableError('its IV or tag has the wrong length')
  return { alg: 'dir', enc: 'A256GCM', cty: h.cty, zip: h.zip === 'DEF' ? 'DEF' : undefined }
}

/** Bytes in a base64url part, or -1 when its length is impossible for base64url (5, 9, … characters). */
function decodedLength(part: string): number {
  try {
    return fromBase64Url(part).length
  } catch {
    return -1
  }
}

function keyBytes(key: string): Uint8Array {
  let bytes: Uint8Array
  try {
    bytes = fromBase64Url(key)
  } catch (cause) {
    throw new ShareFileUnreadableError('the key is not base64url', { cause })
  }
  if (bytes.length !== 32) throw new ShareFileUnreadableError('the key is not 32 bytes')
  return bytes
}
