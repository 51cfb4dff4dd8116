import { describe, expect, it } from 'vitest'
import {
  ATTACHMENT_CHUNK_BYTES,
  AttachmentTooLargeError,
  checkAttachment,
  decryptAttachment,
  encryptAttachment,
  MAX_ATTACHMENT_BYTES,
  UnsupportedAttachmentError,
} from './attachments.ts'
import { RecordDamagedError } from './records.ts'
import { bytesEqual } from '../crypto/bytes.ts'

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
