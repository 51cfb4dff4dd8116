import { z } from 'zod'
import { CareKeyError } from '../errors.ts'
import { bytesSchema, randomBytes, toArrayBufferBytes, utf8 } from './bytes.ts'

/**
 * Envelope encryption with WebCrypto: every item (a record, an attachment, a backup file) is
 * encrypted with its own random AES-256-GCM data key, and that key is stored wrapped (RFC 3394
 * AES key wrap, AES-KW) under a long-lived key derived from the wallet. Rotating or losing one
 * data key touches one item; the wallet key never encrypts data itself.
 */

/** Length of an AES-256 key wrapped with AES-KW: 32 bytes of key plus the 8-byte integrity block. */
export const WRAPPED_KEY_BYTES = 40
export const GCM_IV_BYTES = 12
export const GCM_TAG_BYTES = 16

/** Ciphertext with the IV it was made with. */
export type Sealed = { iv: Uint8Array; ciphertext: Uint8Array }

/**
 * A Sealed pair read from storage: a 12-byte IV and a ciphertext at least as long as the GCM tag.
 *
 * @example
 * const sealed = sealedSchema.parse(row.summary)
 */
export const sealedSchema = z.object({
  iv: bytesSchema.refine((iv) => iv.length === GCM_IV_BYTES, `must be ${GCM_IV_BYTES} bytes`),
  ciphertext: bytesSchema.refine((c) => c.length >= GCM_TAG_BYTES, 'is too short'),
})

/** The wrapping key could not unwrap a data key: it was made under another key, or changed. */
export class KeyUnwrapError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super('This data was encrypted for a different wallet, or its key was changed.', undefined, options)
  }
}

/** AES-GCM refused the ciphertext: the bytes, the IV or the associated data were changed. */
export class IntegrityError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super('This data fails its integrity check: it was changed or damaged.', undefined, options)
  }
}

/**
 * A fresh random AES-256-GCM data key. It is extractable only so that it can be wrapped;
 * unwrapped copies are not extractable.
 *
 * @example
 * const dataKey = await createDataKey()
 */
export function createDataKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt'])
}

/**
 * Wraps a data key with an AES-KW wrapping key.
 *
 * @example
 * const wrapped = await wrapDataKey(dataKey, recordsKey) // 40 bytes
 */
export async function wrapDataKey(dataKey: CryptoKey, wrappingKey: CryptoKey): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.wrapKey('raw', dataKey, wrappingKey, 'AES-KW'))
}

/**
 * Unwraps a data key (non-extractable, for decryption and encryption). Throws KeyUnwrapError
 * when the wrapping key is not the one it was wrapped with, or the wrapped bytes were changed.
 *
 * @example
 * const dataKey = await unwrapDataKey(row.wrappedKey, recordsKey)
 */
export async function unwrapDataKey(wrapped: Uint8Array, wrappingKey: CryptoKey): Promise<CryptoKey> {
  try {
    return await crypto.subtle.unwrapKey('raw', toArrayBufferBytes(wrapped), wrappingKey, 'AES-KW', 'AES-GCM', false, [
      'encrypt',
      'decrypt',
    ])
  } catch (cause) {
    throw new KeyUnwrapError({ cause })
  }
}

/**
 * Encrypts bytes with AES-256-GCM under a fresh random IV. `associatedData` is authenticated,
 * not encrypted: it binds the ciphertext to where it belongs (an id, a chunk number), so that
 * ciphertexts cannot be swapped between items unnoticed.
 *
 * @example
 * const sealed = await seal(dataKey, utf8.encode('{"resourceType":"Observation"}'), 'carekey-record:v1:abc:resource')
 */
export async function seal(key: CryptoKey, plaintext: Uint8Array, associatedData: string): Promise<Sealed> {
  const iv = randomBytes(GCM_IV_BYTES)
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: utf8.encode(associatedData) }, key, toArrayBufferBytes(plaintext)),
  )
  return { iv, ciphertext }
}

/**
 * Decrypts what `seal` made with the same key and associated data; throws IntegrityError if
 * anything was changed.
 *
 * @example
 * const bytes = await open(dataKey, sealed, 'carekey-record:v1:abc:resource')
 */
export async function open(key: CryptoKey, sealed: Sealed, associatedData: string): Promise<Uint8Array<ArrayBuffer>> {
  try {
    return new Uint8Array(
      await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: toArrayBufferBytes(sealed.iv), additionalData: utf8.encode(associatedData) },
        key,
        toArrayBufferBytes(sealed.ciphertext),
      ),
    )
  } catch (cause) {
    throw new IntegrityError({ cause })
  }
}
