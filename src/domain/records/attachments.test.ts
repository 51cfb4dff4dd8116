import { describe, expect, it } from 'vitest'
import {
  ATTACHMENT_CHUNK_BYTES,
  AttachmentTooLargeError,
  checkAttachment,
  decryptAttachment,
  encryptAttachment,
  MAX_ATTACHMENT_BYTES,
  parseStoredAttachment,
  parseStoredChunk,
  UnsupportedAttachmentError,
  upgradeLegacyAttachment,
} from './attachments.ts'
import { RecordDamagedError } from './records.ts'
import { bytesEqual, fromBase64Url } from '../crypto/bytes.ts'
import { paddedLength } from '../crypto/padding.ts'
import { deriveWalletKeys } from '../wallet/keys.ts'
import { parseRecoveryPhrase } from '../wallet/mnemonic.ts'
import { FORMAT1 } from '../../test/format1Fixture.ts'
import { deriveRecordsKeys } from './keys.ts'

const kek = () => crypto.subtle.generateKey({ name: 'AES-KW', length: 256 }, false, ['wrapKey', 'unwrapKey'])
const pdf = new TextEncoder().encode('%PDF-1.4\n%…')

describe('attachments', () => {
  it('encrypts a file in 1 MiB chunks and decrypts it back', async () => {
    const key = await kek()
    const file = randomFile(ATTACHMENT_CHUNK_BYTES * 2 + 17)
    const { attachment, chunks } = await encryptAttachment(crypto.randomUUID(), file, key)
    expect(attachment.chunkCount).toBe(3)
    // Byte comparison: a deep equality over megabytes is needlessly slow.
    expect(bytesEqual(await decryptAttachment(attachment, chunks, key), file)).toBe(true)
  })

  it('notices a missing, swapped or changed chunk', async () => {
    const key = await kek()
    const file = randomFile(ATTACHMENT_CHUNK_BYTES + 1)
    const { attachment, chunks } = await encryptAttachment(crypto.randomUUID(), file, key)
    const [a, b] = chunks
    if (!a || !b) throw new Error('two chunks expected')
    await expect(decryptAttachment(attachment, [a], key)).rejects.toBeInstanceOf(RecordDamagedError)
    await expect(decryptAttachment(attachment, [{ ...a, index: 1 }, { ...b, index: 0 }], key)).rejects.toBeInstanceOf(RecordDamagedError)
  })

  it('pads the file before cutting it into chunks, and keeps its size only inside the encryption', async () => {
    const key = await kek()
    // Two files of different sizes in one Padmé bucket (2 MiB + a bit, in steps of 64 KiB).
    const [small, large] = [randomFile(2 * ATTACHMENT_CHUNK_BYTES + 17), randomFile(2 * ATTACHMENT_CHUNK_BYTES + 30_000)]
    const [a, b] = [await encryptAttachment(crypto.randomUUID(), small, key), await encryptAttachment(crypto.randomUUID(), large, key)]
    const lengths = (chunks: { ciphertext: Uint8Array }[]) => chunks.map((c) => c.ciphertext.length)
    expect(lengths(a.chunks)).toEqual(lengths(b.chunks))
    expect(a.attachment.chunkCount).toBe(b.attachment.chunkCount)
    expect(Object.keys(a.attachment).sort()).toEqual(['chunkCount', 'createdAt', 'format', 'id', 'wrappedKey'])
    const stored = a.chunks.reduce((n, c) => n + c.ciphertext.length - 16, 0)
    expect(stored).toBe(paddedLength(small.length))
    expect((stored - small.length) / small.length).toBeLessThanOrEqual(0.12)
    expect(bytesEqual(await decryptAttachment(b.attachment, b.chunks, key), large)).toBe(true)
    // A small file is one 1 KiB chunk.
    const tiny = await encryptAttachment(crypto.randomUUID(), pdf, key)
    expect(lengths(tiny.chunks)).toEqual([1024 + 16])
    expect(await decryptAttachment(tiny.attachment, tiny.chunks, key)).toEqual(pdf)
  })

  it('refuses a chunk moved to another attachment, or an attachment given another date', async () => {
    const key = await kek()
    const [a, b] = [await encryptAttachment(crypto.randomUUID(), pdf, key, 1), await encryptAttachment(crypto.randomUUID(), pdf, key, 1)]
    const [chunk] = b.chunks
    if (!chunk) throw new Error('a chunk expected')
    await expect(decryptAttachment(a.attachment, [{ ...chunk, attachmentId: a.attachment.id }], key)).rejects.toBeInstanceOf(RecordDamagedError)
    await expect(decryptAttachment({ ...a.attachment, createdAt: 2 }, a.chunks, key)).rejects.toBeInstanceOf(RecordDamagedError)
  })

  it('still reads an attachment stored in format 1, and upgrades it without changing a byte', async () => {
    const wallet = await deriveWalletKeys(parseRecoveryPhrase(FORMAT1.phrase))
    const { records: key } = await deriveRecordsKeys(wallet.root)
    const [frozen] = FORMAT1.attachments
    if (!frozen) throw new Error('a frozen attachment expected')
    const legacy = parseStoredAttachment(structuredClone(frozen.attachment))
    const chunks = frozen.chunks.map((c) => parseStoredChunk(structuredClone(c)))
    if (legacy.format !== 1) throw new Error('a format 1 attachment expected')
    const file = fromBase64Url(FORMAT1.expected.attachment)
    expect(bytesEqual(await decryptAttachment(legacy, chunks, key), file)).toBe(true)

    const upgraded = await upgradeLegacyAttachment(legacy, chunks, key)
    expect(upgraded.attachment).toMatchObject({ format: 2, id: legacy.id, createdAt: legacy.createdAt })
    expect(upgraded.attachment).not.toHaveProperty('size')
    expect(bytesEqual(await decryptAttachment(upgraded.attachment, upgraded.chunks, key), file)).toBe(true)
    await expect(decryptAttachment({ ...legacy, size: legacy.size + 1 }, chunks, key)).rejects.toBeInstanceOf(RecordDamagedError)
  })

  it('accepts PDFs and images whose bytes match their type, and nothing else', () => {
    expect(checkAttachment('letter.pdf', 'application/pdf', pdf)).toBe('application/pdf')
    expect(checkAttachment('letter.pdf', '', pdf)).toBe('application/pdf')
    expect(() => checkAttachment('page.html', 'text/html', new TextEncoder().encode('<script>'))).toThrow(UnsupportedAttachmentError)
    expect(() => checkAttachment('fake.pdf', 'application/pdf', new TextEncoder().encode('<html>'))).toThrow(/named as a PDF but its content is not one/)
    expect(() => checkAttachment('huge.pdf', 'application/pdf', new Uint8Array(MAX_ATTACHMENT_BYTES + 1))).toThrow(AttachmentTooLargeError)
  })
})

/** Random bytes of any length (getRandomValues gives at most 64 KiB per call). */
function randomFile(length: number): Uint8Array {
  const bytes = new Uint8Array(length)
  for (let i = 0; i < length; i += 65_536) crypto.getRandomValues(bytes.subarray(i, i + 65_536))
  return bytes
}
