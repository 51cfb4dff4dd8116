import { CareKeyError } from '../errors.ts'
import { bytesEqual } from '../crypto/bytes.ts'
import { createDataKey, GCM_IV_BYTES, GCM_TAG_BYTES, open, seal, unwrapDataKey, wrapDataKey, WRAPPED_KEY_BYTES } from '../crypto/envelope.ts'
import { paddedLength, paddedRange, unpadPlaintext } from '../crypto/padding.ts'
import { formatBytes } from '../fhir/errors.ts'
import { RecordDamagedError } from './records.ts'

/**
 * A document attached to a record (a PDF, a photo of a letter), encrypted with its own data key
 * in chunks of 1 MiB. Chunks keep each IndexedDB value and each encryption call small, so a
 * 25 MB file never needs one 25 MB structured clone; every chunk is bound to its attachment, its
 * position and the chunk count, so chunks cannot be reordered, swapped or dropped unnoticed.
 *
 * Format 2, written today: the file is padded as a whole (domain/crypto/padding.ts: Padmé above
 * 64 KiB, at most 12 % more) before it is cut into chunks, and its size is kept only inside the
 * encryption, so the row and the chunks tell the size bucket, not the size. Its chunks are bound
 * to its creation time as well. Format 1 (before padding) kept the size in the clear; it is
 * still read, and re-sealed as format 2 at unlock (`upgradeLegacyAttachment`).
 */
export type PaddedEncryptedAttachment = {
  format: typeof ATTACHMENT_FORMAT
  id: string
  wrappedKey: Uint8Array
  chunkCount: number
  createdAt: number
}

/** An attachment stored before padding: unpadded chunks, the size in the clear. */
export type LegacyEncryptedAttachment = Omit<PaddedEncryptedAttachment, 'format'> & {
  format: typeof LEGACY_ATTACHMENT_FORMAT
  /** Size of the file in bytes. */
  size: number
}

export type EncryptedAttachment = PaddedEncryptedAttachment | LegacyEncryptedAttachment

export type EncryptedChunk = { attachmentId: string; index: number; iv: Uint8Array; ciphertext: Uint8Array }

export const ATTACHMENT_FORMAT = 2
export const LEGACY_ATTACHMENT_FORMAT = 1
export const ATTACHMENT_CHUNK_BYTES = 1024 * 1024
/** The largest file a patient can attach. */
export const MAX_ATTACHMENT_BYTES = 50 * 1000 * 1000

/** What can be attached and viewed safely in the app: never HTML or SVG, which could run script. */
export const ATTACHMENT_TYPES = {
  'application/pdf': { label: 'PDF', magic: [[0x25, 0x50, 0x44, 0x46, 0x2d]] },
  'image/png': { label: 'PNG image', magic: [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]] },
  'image/jpeg': { label: 'JPEG image', magic: [[0xff, 0xd8, 0xff]] },
  'image/gif': { label: 'GIF image', magic: [[0x47, 0x49, 0x46, 0x38]] },
  // -1: any byte (a WebP file is a RIFF container whose form type is WEBP).
  'image/webp': { label: 'WebP image', magic: [[0x52, 0x49, 0x46, 0x46, -1, -1, -1, -1, 0x57, 0x45, 0x42, 0x50]] },
} as const satisfies Record<string, { label: string; magic: number[][] }>

export type AttachmentType = keyof typeof ATTACHMENT_TYPES

export class UnsupportedAttachmentError extends CareKeyError {
  constructor(detail: string) {
    super(`This file cannot be attached: ${detail}. Nothing was saved.`, 'Attach a PDF or an image (PNG, JPEG, GIF or WebP).')
  }
}

export class AttachmentTooLargeError extends CareKeyError {
  constructor(size: number) {
    super(
      `This file is ${formatBytes(size)}; attachments can be up to ${formatBytes(MAX_ATTACHMENT_BYTES)}. Nothing was saved.`,
      'Attach a smaller file, for example a scan at a lower resolution.',
    )
  }
}

/**
 * Checks a file before it is attached: its size, and that its bytes are what its type says.
 * Returns the content type to store.
 *
 * @example
 * checkAttachment('letter.pdf', 'application/pdf', bytes) // 'application/pdf'
 */
export function checkAttachment(name: string, declaredType: string, bytes: Uint8Array): AttachmentType {
  if (bytes.length > MAX_ATTACHMENT_BYTES) throw new AttachmentTooLargeError(bytes.length)
  if (bytes.length === 0) throw new UnsupportedAttachmentError('it is empty')
  const byExtension = /\.pdf$/i.test(name) ? 'application/pdf' : /\.png$/i.test(name) ? 'image/png' : /\.jpe?g$/i.test(name) ? 'image/jpeg' : undefined
  const type = Object.keys(ATTACHMENT_TYPES).find((t): t is AttachmentType => t === (declaredType || byExtension))
  if (!type) throw new UnsupportedAttachmentError(declaredType ? `files of type ${declaredType} are not supported` : 'its type is unknown')
  const { magic, label } = ATTACHMENT_TYPES[type]
  if (!magic.some((signature) => signature.every((b, i) => b < 0 || bytes[i] === b))) {
    throw new UnsupportedAttachmentError(`it is named as a ${label} but its content is not one`)
  }
  return type
}

function chunkData(attachment: Pick<EncryptedAttachment, 'format' | 'id' | 'createdAt' | 'chunkCount'>, index: number): string {
  const { id, chunkCount } = attachment
  if (attachment.format === LEGACY_ATTACHMENT_FORMAT) return `carekey-attachment:v1:${id}:${index}/${chunkCount}`
  return `carekey-attachment:v2:${id}:${attachment.createdAt}:${index}/${chunkCount}`
}

/**
 * Encrypts a file (format 2: padded, then cut into chunks) under a fresh data key wrapped by the
 * records key.
 *
 * @example
 * const { attachment, chunks } = await encryptAttachment(crypto.randomUUID(), bytes, recordsKey)
 */
export async function encryptAttachment(
  id: string,
  bytes: Uint8Array,
  recordsKey: CryptoKey,
  now = Date.now(),
): Promise<{ attachment: PaddedEncryptedAttachment; chunks: EncryptedChunk[] }> {
  const dataKey = await createDataKey()
  const total = paddedLength(bytes.length)
  const chunkCount = Math.ceil(total / ATTACHMENT_CHUNK_BYTES)
  const attachment = { format: ATTACHMENT_FORMAT, id, chunkCount, createdAt: now } as const
  const [wrappedKey, chunks] = await Promise.all([
    wrapDataKey(dataKey, recordsKey),
    Promise.all(
      Array.from({ length: chunkCount }, async (_, index) => {
        const part = paddedRange(bytes, index * ATTACHMENT_CHUNK_BYTES, Math.min((index + 1) * ATTACHMENT_CHUNK_BYTES, total))
        const sealed = await seal(dataKey, part, chunkData(attachment, index))
        return { attachmentId: id, index, ...sealed }
      }),
    ),
  ])
  return { attachment: { ...attachment, wrappedKey }, chunks }
}

/** Decrypts a whole attachment; throws RecordDamagedError when a chunk is missing or changed. */
export async function decryptAttachment(
  attachment: EncryptedAttachment,
  chunks: EncryptedChunk[],
  recordsKey: CryptoKey,
): Promise<Uint8Array<ArrayBuffer>> {
  if (chunks.length !== attachment.chunkCount) throw new RecordDamagedError('an attachment is missing some of its parts')
  const dataKey = await unwrapDataKey(attachment.wrappedKey, recordsKey)
  const ordered = [...chunks].sort((a, b) => a.index - b.index)
  const parts = await Promise.all(
    ordered.map((chunk, index) => {
      if (chunk.index !== index || chunk.attachmentId !== attachment.id) throw new RecordDamagedError('an attachment’s parts are out of order')
      return open(dataKey, chunk, chunkData(attachment, index)).catch((cause: unknown) => {
        throw new RecordDamagedError('an attachment fails its integrity check', { cause })
      })
    }),
  )
  const total = parts.reduce((n, p) => n + p.length, 0)
  if (attachment.format === LEGACY_ATTACHMENT_FORMAT && total !== attachment.size) throw new RecordDamagedError('an attachment has the wrong size')
  if (attachment.format === ATTACHMENT_FORMAT && parts.some((p, i) => i < parts.length - 1 && p.length !== ATTACHMENT_CHUNK_BYTES)) {
    throw new RecordDamagedError('an attachment’s parts have the wrong sizes')
  }
  const out = new Uint8Array(total)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  if (attachment.format === LEGACY_ATTACHMENT_FORMAT) return out
  try {
    return unpadPlaintext(out)
  } catch (cause) {
    throw new RecordDamagedError('an attachment’s padding is not valid', { cause })
  }
}

/**
 * Re-seals a format 1 attachment as format 2 (padded, size hidden), with the same id and
 * creation time. The new chunks are decrypted again and compared before they are returned, so
 * a file is only ever replaced by one that reads back the same. Throws RecordDamagedError.
 *
 * @example
 * const upgraded = await upgradeLegacyAttachment(stored.attachment, stored.chunks, recordsKey)
 */
export async function upgradeLegacyAttachment(
  attachment: LegacyEncryptedAttachment,
  chunks: EncryptedChunk[],
  recordsKey: CryptoKey,
): Promise<{ attachment: PaddedEncryptedAttachment; chunks: EncryptedChunk[] }> {
  const bytes = await decryptAttachment(attachment, chunks, recordsKey)
  const upgraded = await encryptAttachment(attachment.id, bytes, recordsKey, attachment.createdAt)
  if (!bytesEqual(await decryptAttachment(upgraded.attachment, upgraded.chunks, recordsKey), bytes)) {
    throw new RecordDamagedError('an attachment did not read back the same after re-encryption')
  }
  return upgraded
}

/** Checks an attachment row read from storage or a backup. */
export function parseStoredAttachment(value: unknown): EncryptedAttachment {
  if (typeof value !== 'object' || value === null) throw new RecordDamagedError('an attachment row is not an object')
  const get = (key: string): unknown => Reflect.get(value, key)
  const id = get('id')
  const chunkCount = get('chunkCount')
  const size = get('size')
  const createdAt = get('createdAt')
  const wrappedKey = get('wrappedKey')
  const format = get('format')
  if (format !== ATTACHMENT_FORMAT && format !== LEGACY_ATTACHMENT_FORMAT) throw new RecordDamagedError('an attachment has an unknown format')
  if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/.test(id)) throw new RecordDamagedError('an attachment id is not valid')
  if (!(wrappedKey instanceof Uint8Array) || wrappedKey.length !== WRAPPED_KEY_BYTES) throw new RecordDamagedError('an attachment key is missing')
  if (typeof chunkCount !== 'number' || !Number.isInteger(chunkCount) || chunkCount < 1) throw new RecordDamagedError('an attachment chunk count is not valid')
  if (typeof createdAt !== 'number') throw new RecordDamagedError('an attachment date is missing')
  if (format === ATTACHMENT_FORMAT) return { format, id, wrappedKey, chunkCount, createdAt }
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > chunkCount * ATTACHMENT_CHUNK_BYTES) {
    throw new RecordDamagedError('an attachment size is not valid')
  }
  return { format, id, wrappedKey, chunkCount, size, createdAt }
}

/** Checks an attachment chunk row read from storage or a backup. */
export function parseStoredChunk(value: unknown): EncryptedChunk {
  if (typeof value !== 'object' || value === null) throw new RecordDamagedError('an attachment part is not an object')
  const get = (key: string): unknown => Reflect.get(value, key)
  const attachmentId = get('attachmentId')
  const index = get('index')
  const iv = get('iv')
  const ciphertext = get('ciphertext')
  if (typeof attachmentId !== 'string' || typeof index !== 'number' || !Number.isInteger(index) || index < 0) {
    throw new RecordDamagedError('an attachment part is not labelled')
  }
  if (!(iv instanceof Uint8Array) || iv.length !== GCM_IV_BYTES) throw new RecordDamagedError('an attachment part IV is missing')
  if (!(ciphertext instanceof Uint8Array) || ciphertext.length < GCM_TAG_BYTES) throw new RecordDamagedError('an attachment part is empty')
  return { attachmentId, index, iv, ciphertext }
}
