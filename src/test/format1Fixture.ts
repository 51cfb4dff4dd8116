/**
 * Test support (never bundled): rows and a backup file exactly as CareKey stored them in format 1,
 * before records were bound to their version and padded (fixtures/format1.json, made once by the
 * code of commit 29b50dd and frozen). Tests put these bytes into a database, or restore the
 * backup, to prove that what older versions stored still opens and is upgraded without loss.
 */
import { fromBase64Url } from '../domain/crypto/bytes.ts'
import frozen from './fixtures/format1.json'

/** JSON with `{ $bytes: base64url }` back as Uint8Arrays. */
function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode)
  if (typeof value === 'object' && value !== null) {
    const bytes: unknown = Reflect.get(value, '$bytes')
    if (typeof bytes === 'string') return fromBase64Url(bytes)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v)]))
  }
  return value
}

type Bytes = Uint8Array
type Sealed = { iv: Bytes; ciphertext: Bytes }

/** The frozen format 1 data, with its bytes restored. Values are untyped rows, as IndexedDB would give them. */
export const FORMAT1 = decode(frozen) as {
  phrase: string
  records: { format: 1; id: string; wrappedKey: Bytes; summary: Sealed; resource: Sealed; createdAt: number; updatedAt: number }[]
  attachments: {
    attachment: { format: 1; id: string; wrappedKey: Bytes; chunkCount: number; size: number; createdAt: number }
    chunks: { attachmentId: string; index: number; iv: Bytes; ciphertext: Bytes }[]
  }[]
  consents: { format: 1; id: string; sealed: Sealed; createdAt: number; updatedAt: number }[]
  shares: { format: 1; id: string; sealed: Sealed; createdAt: number; updatedAt: number }[]
  expected: {
    titles: string[]
    /** The attached file's bytes, base64url. */
    attachment: string
    consent: { id: string; granteeName: string; commitment: string }
    share: { id: string; hostShareId: string }
  }
  /** A version 1 `.carekey` file of all of the above, base64url. */
  backup: string
}
