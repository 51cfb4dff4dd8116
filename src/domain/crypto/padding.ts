import { IntegrityError, open, seal, type Sealed } from './envelope.ts'

/**
 * Length padding for what is encrypted at rest, so that the size of a ciphertext tells only
 * which bucket its plaintext falls in, not what it is (a one-line allergy and a short lab result
 * look the same; a 3 MB scan and a 3.1 MB one too).
 *
 * A padded plaintext is `u32 big-endian length · the bytes · zero bytes` up to `paddedLength`:
 * - at least PADDING_MIN_BYTES (1 KiB): every small item has the same size;
 * - up to PADDING_POWER_OF_TWO_UP_TO (64 KiB), the next power of two: few buckets for the sizes
 *   most records have, at a cost of at most 64 KiB per item;
 * - above, Padmé (Nikitin et al., "Reducing Metadata Leakage from Encrypted Files and
 *   Communication with PURBs", PETS 2019): the length rounded up so that only about log2 log2
 *   of its bits vary; at most 11.2 % larger (12 % with the prefix), for attachments of megabytes.
 *
 * Unpadding is strict: the prefix, the total length and every padding byte must be exactly what
 * `padPlaintext` writes, or it throws PaddingError. It runs only after AES-GCM has authenticated
 * the bytes, so a failure means a writer bug or the wrong format, never an oracle for guesses.
 */

export const PADDING_MIN_BYTES = 1024
export const PADDING_POWER_OF_TWO_UP_TO = 64 * 1024
const PREFIX_BYTES = 4
/** The largest content a u32 length prefix can describe (far beyond any record or file). */
export const MAX_PADDED_CONTENT_BYTES = 0xffff_ffff - PREFIX_BYTES

/** Authenticated bytes whose padding is not what CareKey writes. */
export class PaddingError extends IntegrityError {}

/**
 * Encrypts bytes padded to their bucket (see `seal` in envelope.ts for the rest).
 *
 * @example
 * const sealed = await sealPadded(dataKey, utf8.encode(json), 'carekey-record:v2:…:summary')
 */
export function sealPadded(key: CryptoKey, plaintext: Uint8Array, associatedData: string): Promise<Sealed> {
  return seal(key, padPlaintext(plaintext), associatedData)
}

/**
 * Decrypts what `sealPadded` made and removes the padding; throws IntegrityError (PaddingError
 * for padding that is not CareKey's) when anything was changed.
 *
 * @example
 * const bytes = await openPadded(dataKey, row.summary, 'carekey-record:v2:…:summary')
 */
export async function openPadded(key: CryptoKey, sealed: Sealed, associatedData: string): Promise<Uint8Array> {
  return unpadPlaintext(await open(key, sealed, associatedData))
}

/**
 * The length of the padded plaintext for content of `contentLength` bytes.
 *
 * @example
 * paddedLength(300) // 1024
 * paddedLength(5000) // 8192
 * paddedLength(3_000_000) // 3_014_656 (Padmé)
 */
export function paddedLength(contentLength: number): number {
  if (!Number.isSafeInteger(contentLength) || contentLength < 0 || contentLength > MAX_PADDED_CONTENT_BYTES) {
    throw new RangeError(`cannot pad ${contentLength} bytes`)
  }
  const length = contentLength + PREFIX_BYTES
  if (length <= PADDING_MIN_BYTES) return PADDING_MIN_BYTES
  if (length <= PADDING_POWER_OF_TWO_UP_TO) return 2 ** (floorLog2(length - 1) + 1)
  return padme(length)
}

/** Padmé: of a length whose highest bit is 2^E, keep the top floor(log2 E) + 1 bits and round the rest up. */
function padme(length: number): number {
  const exponent = floorLog2(length)
  const significant = floorLog2(exponent) + 1
  const step = 2 ** (exponent - significant)
  return Math.ceil(length / step) * step
}

/** floor(log2 n) for 1 ≤ n < 2^32, exactly (Math.log2 may round). */
function floorLog2(n: number): number {
  return 31 - Math.clz32(n)
}

/**
 * The bytes `[start, end)` of the padded form of `content`, without building the whole of it
 * (an attachment is padded and cut into chunks this way).
 *
 * @example
 * const firstChunk = paddedRange(file, 0, 1024 * 1024)
 */
export function paddedRange(content: Uint8Array, start: number, end: number): Uint8Array<ArrayBuffer> {
  const total = paddedLength(content.length)
  if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && 0 <= start && start <= end && end <= total)) {
    throw new RangeError(`no bytes ${start}–${end} in a padded length of ${total}`)
  }
  const out = new Uint8Array(end - start)
  const prefix = new Uint8Array(PREFIX_BYTES)
  new DataView(prefix.buffer).setUint32(0, content.length)
  // The prefix occupies [0, 4), the content [4, 4 + n); the rest stays zero.
  if (start < PREFIX_BYTES) out.set(prefix.subarray(start, Math.min(PREFIX_BYTES, end)), 0)
  const from = Math.max(start, PREFIX_BYTES)
  const to = Math.min(end, PREFIX_BYTES + content.length)
  if (from < to) out.set(content.subarray(from - PREFIX_BYTES, to - PREFIX_BYTES), from - start)
  return out
}

/**
 * Pads content to its bucket (see the top of this file).
 *
 * @example
 * const sealed = await seal(key, padPlaintext(bytes), associatedData)
 */
export function padPlaintext(content: Uint8Array): Uint8Array<ArrayBuffer> {
  return paddedRange(content, 0, paddedLength(content.length))
}

/**
 * The content of a padded plaintext; throws PaddingError unless it is exactly what
 * `padPlaintext` made. The result is a view into `padded`.
 *
 * @example
 * const bytes = unpadPlaintext(await open(key, sealed, associatedData))
 */
export function unpadPlaintext<T extends ArrayBufferLike>(padded: Uint8Array<T>): Uint8Array<T> {
  if (padded.length < PADDING_MIN_BYTES) throw new PaddingError()
  const length = new DataView(padded.buffer, padded.byteOffset, padded.byteLength).getUint32(0)
  if (length > padded.length - PREFIX_BYTES || paddedLength(length) !== padded.length) throw new PaddingError()
  let nonZero = 0
  for (let i = PREFIX_BYTES + length; i < padded.length; i++) nonZero |= padded[i] ?? 0
  if (nonZero !== 0) throw new PaddingError()
  return padded.subarray(PREFIX_BYTES, PREFIX_BYTES + length)
}
