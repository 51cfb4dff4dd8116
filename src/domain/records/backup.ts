import { CareKeyError } from '../errors.ts'
import { fromBase64Url, toBase64Url, utf8 } from '../crypto/bytes.ts'
import { createDataKey, GCM_IV_BYTES, IntegrityError, KeyUnwrapError, unwrapDataKey, wrapDataKey } from '../crypto/envelope.ts'
import { formatBytes } from '../fhir/errors.ts'
import { LEGACY_ATTACHMENT_FORMAT, parseStoredAttachment, parseStoredChunk, type EncryptedAttachment, type EncryptedChunk } from './attachments.ts'
import { parseStoredRecord, RECORD_FORMAT, type EncryptedRecord } from './records.ts'

/**
 * The encrypted backup file (.carekey). It holds the wallet's stored records and attachments
 * exactly as they are at rest (each still under its own data key), inside one more layer of
 * AES-256-GCM under a fresh file key wrapped by the wallet's backup key. Only the same
 * recovery phrase opens it, on any device.
 *
 * Layout (all integers big-endian):
 *
 *   "CKBACKUP" (8 bytes) · version (1 byte) · header length H (u32) · header (H bytes of JSON:
 *   wrapped file key, IV, payload length, creation time) · payload ciphertext
 *
 * The magic, version and header are the payload's associated data, so changing any of them is
 * detected. The payload is `u32 manifest length · manifest JSON · attachment chunk bytes`.
 *
 * Version 2 (written today) names each row's format (records and attachments in format 2 are
 * padded and carry a version; see records.ts and attachments.ts), and a record's version. Version
 * 1 files, from before, hold format 1 rows only, and are still opened.
 */
export type BackupContents = {
  createdAt: number
  records: EncryptedRecord[]
  attachments: { attachment: EncryptedAttachment; chunks: EncryptedChunk[] }[]
  /**
   * Rows of other stores (consents, shares), by store name, carried as they are at rest:
   * each is already sealed under its own key derived from the wallet. Older backups have none.
   */
  sealedRows?: Readonly<Record<string, readonly SealedRow[]>>
}

/**
 * A row kept sealed at rest by another part of the wallet: its format, a random id, timestamps,
 * ciphertext. (Version 1 files do not name the format: their rows are format 1.)
 */
export type SealedRow = { format: number; id: string; sealed: { iv: Uint8Array; ciphertext: Uint8Array }; createdAt: number; updatedAt: number }

export const BACKUP_FILE_EXTENSION = '.carekey'
export const BACKUP_MEDIA_TYPE = 'application/vnd.carekey.backup'
export const MAX_BACKUP_BYTES = 1_000_000_000
const MAGIC = utf8.encode('CKBACKUP')
const VERSION = 2
/** Versions this CareKey opens: 1 (rows in format 1 only) and 2. */
const READABLE_VERSIONS = [1, 2]
const PREFIX_BYTES = MAGIC.length + 1 + 4

export class NotABackupError extends CareKeyError {
  constructor() {
    super('This file is not a CareKey backup. Nothing was changed.', `Choose the ${BACKUP_FILE_EXTENSION} file you exported from CareKey.`)
  }
}

export class BackupTruncatedError extends CareKeyError {
  constructor(missing: number) {
    super(
      `This backup file is incomplete: it ends ${formatBytes(missing)} too early. Nothing was changed.`,
      'The copy was probably interrupted. Copy the file again from where you keep your backups.',
    )
  }
}

export class BackupDamagedError extends CareKeyError {
  constructor(detail: string, options?: ErrorOptions) {
    super(
      `This backup file was changed or damaged after it was made (${detail}), so it cannot be trusted. Nothing was changed.`,
      'Use another copy of the backup.',
      options,
    )
  }
}

export class BackupFromAnotherWalletError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super(
      'This backup was made with a different wallet (another recovery phrase), so this wallet cannot open it. Nothing was changed.',
      'Restore the wallet from the recovery phrase that made the backup, then restore the backup.',
      options,
    )
  }
}

export class BackupVersionError extends CareKeyError {
  constructor(version: number) {
    super(
      `This backup was made by a newer version of CareKey (format ${version}). Nothing was changed.`,
      'Reload the page to get the newest version of CareKey, then try again.',
    )
  }
}

type Header = { wrappedKey: string; iv: string; payloadLength: number; createdAt: number }

/**
 * Seals records and attachments (as stored) into a backup file.
 *
 * @example
 * const file = await sealBackup({ createdAt: Date.now(), records, attachments }, backupKey)
 */
export async function sealBackup(contents: BackupContents, backupKey: CryptoKey): Promise<Uint8Array<ArrayBuffer>> {
  const payload = encodePayload(contents)
  const fileKey = await createDataKey()
  const wrappedKey = await wrapDataKey(fileKey, backupKey)
  // The IV is chosen here (not by seal) because it must be in the header, which is authenticated.
  const iv = crypto.getRandomValues(new Uint8Array(GCM_IV_BYTES))
  const header: Header = {
    wrappedKey: toBase64Url(wrappedKey),
    iv: toBase64Url(iv),
    payloadLength: payload.length + 16,
    createdAt: contents.createdAt,
  }
  const prefix = encodePrefix(utf8.encode(JSON.stringify(header)))
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: prefix }, fileKey, payload),
  )
  const file = new Uint8Array(prefix.length + ciphertext.length)
  file.set(prefix)
  file.set(ciphertext, prefix.length)
  return file
}

/**
 * Opens a backup file with the wallet's backup key. Throws NotABackupError, BackupTruncatedError,
 * BackupDamagedError, BackupFromAnotherWalletError or BackupVersionError, each saying what is
 * wrong; never returns partial contents.
 *
 * @example
 * const { records, attachments } = await openBackup(new Uint8Array(await file.arrayBuffer()), backupKey)
 */
export async function openBackup(file: Uint8Array, backupKey: CryptoKey): Promise<BackupContents> {
  if (file.length < PREFIX_BYTES) {
    if (file.length > 0 && MAGIC.subarray(0, Math.min(file.length, MAGIC.length)).every((b, i) => file[i] === b)) {
      throw new BackupTruncatedError(PREFIX_BYTES - file.length)
    }
    throw new NotABackupError()
  }
  if (!MAGIC.every((b, i) => file[i] === b)) throw new NotABackupError()
  const version = file[MAGIC.length] ?? 0
  if (version > VERSION) throw new BackupVersionError(version)
  if (!READABLE_VERSIONS.includes(version)) throw new BackupDamagedError('its version byte is not valid')
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength)
  const headerLength = view.getUint32(MAGIC.length + 1)
  if (headerLength > 4096) throw new BackupDamagedError('its header length is not valid')
  if (file.length < PREFIX_BYTES + headerLength) throw new BackupTruncatedError(PREFIX_BYTES + headerLength - file.length)
  const prefix = file.slice(0, PREFIX_BYTES + headerLength)
  const header = parseHeader(prefix.subarray(PREFIX_BYTES))
  const expected = prefix.length + header.payloadLength
  if (file.length < expected) throw new BackupTruncatedError(expected - file.length)
  if (file.length > expected) throw new BackupDamagedError('it has extra bytes at the end')

  let fileKey: CryptoKey
  try {
    fileKey = await unwrapDataKey(header.wrappedKey, backupKey)
  } catch (cause) {
    if (cause instanceof KeyUnwrapError) throw new BackupFromAnotherWalletError({ cause })
    throw cause
  }
  let payload: Uint8Array
  try {
    payload = new Uint8Array(
      await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: header.iv.slice(), additionalData: prefix },
        fileKey,
        file.slice(prefix.length),
      ),
    )
  } catch (cause) {
    throw new BackupDamagedError('its contents fail the integrity check', { cause })
  }
  try {
    return decodePayload(payload, header.createdAt, version)
  } catch (cause) {
    // The payload was authenticated, so this is a file written wrongly, not a tampered one.
    throw new BackupDamagedError('its contents are not readable', { cause })
  }
}

function encodePrefix(header: Uint8Array): Uint8Array<ArrayBuffer> {
  const prefix = new Uint8Array(PREFIX_BYTES + header.length)
  prefix.set(MAGIC)
  prefix[MAGIC.length] = VERSION
  new DataView(prefix.buffer).setUint32(MAGIC.length + 1, header.length)
  prefix.set(header, PREFIX_BYTES)
  return prefix
}

/** The header as read: its keys decoded. It is authenticated only later, with the payload. */
type ReadHeader = { wrappedKey: Uint8Array; iv: Uint8Array; payloadLength: number; createdAt: number }

function parseHeader(bytes: Uint8Array): ReadHeader {
  let value: unknown
  try {
    value = JSON.parse(utf8.decode(bytes))
  } catch (cause) {
    throw new BackupDamagedError('its header is not readable', { cause })
  }
  if (typeof value !== 'object' || value === null) throw new BackupDamagedError('its header is not readable')
  const get = (key: string): unknown => Reflect.get(value, key)
  const wrappedKey = get('wrappedKey')
  const iv = get('iv')
  const payloadLength = get('payloadLength')
  const createdAt = get('createdAt')
  if (
    typeof wrappedKey !== 'string' ||
    typeof iv !== 'string' ||
    typeof payloadLength !== 'number' ||
    !Number.isSafeInteger(payloadLength) ||
    payloadLength < 16 ||
    typeof createdAt !== 'number'
  ) {
    throw new BackupDamagedError('its header is incomplete')
  }
  // Decoded here, before anything else reads them: a changed character must not throw a TypeError.
  const decode = (text: string) => {
    try {
      return fromBase64Url(text)
    } catch (cause) {
      throw new BackupDamagedError('its header is not readable', { cause })
    }
  }
  return { wrappedKey: decode(wrappedKey), iv: decode(iv), payloadLength, createdAt }
}

type ManifestChunk = { iv: string; offset: number; length: number }

function encodePayload(contents: BackupContents): Uint8Array<ArrayBuffer> {
  const blobs: Uint8Array[] = []
  let offset = 0
  const attachments = contents.attachments.map(({ attachment, chunks }) => ({
    format: attachment.format,
    id: attachment.id,
    wrappedKey: toBase64Url(attachment.wrappedKey),
    chunkCount: attachment.chunkCount,
    ...(attachment.format === LEGACY_ATTACHMENT_FORMAT && { size: attachment.size }),
    createdAt: attachment.createdAt,
    chunks: chunks.map((chunk): ManifestChunk => {
      blobs.push(chunk.ciphertext)
      const entry = { iv: toBase64Url(chunk.iv), offset, length: chunk.ciphertext.length }
      offset += chunk.ciphertext.length
      return entry
    }),
  }))
  const manifest = utf8.encode(
    JSON.stringify({
      format: 1,
      createdAt: contents.createdAt,
      records: contents.records.map((r) => ({
        format: r.format,
        ...(r.format === RECORD_FORMAT && { version: r.version }),
        id: r.id,
        wrappedKey: toBase64Url(r.wrappedKey),
        summaryIv: toBase64Url(r.summary.iv),
        summary: toBase64Url(r.summary.ciphertext),
        resourceIv: toBase64Url(r.resource.iv),
        resource: toBase64Url(r.resource.ciphertext),
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
      })),
      attachments,
      ...(contents.sealedRows && {
        sealedRows: Object.fromEntries(
          Object.entries(contents.sealedRows).map(([store, rows]) => [
            store,
            rows.map((r) => ({ format: r.format, id: r.id, iv: toBase64Url(r.sealed.iv), ciphertext: toBase64Url(r.sealed.ciphertext), createdAt: r.createdAt, updatedAt: r.updatedAt })),
          ]),
        ),
      }),
    }),
  )
  const payload = new Uint8Array(4 + manifest.length + offset)
  new DataView(payload.buffer).setUint32(0, manifest.length)
  payload.set(manifest, 4)
  let at = 4 + manifest.length
  for (const blob of blobs) {
    payload.set(blob, at)
    at += blob.length
  }
  return payload
}

function decodePayload(payload: Uint8Array, createdAt: number, version: number): BackupContents {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength)
  const manifestLength = view.getUint32(0)
  const manifest: unknown = JSON.parse(utf8.decode(payload.subarray(4, 4 + manifestLength)))
  const blob = payload.subarray(4 + manifestLength)
  if (typeof manifest !== 'object' || manifest === null || Reflect.get(manifest, 'format') !== 1) throw new IntegrityError()
  const records: unknown = Reflect.get(manifest, 'records')
  const attachments: unknown = Reflect.get(manifest, 'attachments')
  if (!Array.isArray(records) || !Array.isArray(attachments)) throw new IntegrityError()
  const b64 = (value: unknown) => {
    if (typeof value !== 'string') throw new IntegrityError()
    return fromBase64Url(value)
  }
  // Version 1 files name no format: everything in them is format 1.
  const formatOf = (get: (key: string) => unknown): unknown => (version === 1 ? 1 : get('format'))
  return {
    createdAt,
    sealedRows: decodeSealedRows(Reflect.get(manifest, 'sealedRows'), b64, formatOf),
    records: records.map((r: unknown) => {
      if (typeof r !== 'object' || r === null) throw new IntegrityError()
      const get = (key: string): unknown => Reflect.get(r, key)
      return parseStoredRecord({
        format: formatOf(get),
        version: get('version'),
        id: get('id'),
        wrappedKey: b64(get('wrappedKey')),
        summary: { iv: b64(get('summaryIv')), ciphertext: b64(get('summary')) },
        resource: { iv: b64(get('resourceIv')), ciphertext: b64(get('resource')) },
        createdAt: get('createdAt'),
        updatedAt: get('updatedAt'),
      })
    }),
    attachments: attachments.map((a: unknown) => {
      if (typeof a !== 'object' || a === null) throw new IntegrityError()
      const get = (key: string): unknown => Reflect.get(a, key)
      const attachment = parseStoredAttachment({ format: formatOf(get), id: get('id'), wrappedKey: b64(get('wrappedKey')), chunkCount: get('chunkCount'), size: get('size'), createdAt: get('createdAt') })
      const chunks: unknown = get('chunks')
      if (!Array.isArray(chunks) || chunks.length !== attachment.chunkCount) throw new IntegrityError()
      return {
        attachment,
        chunks: chunks.map((c: unknown, index) => {
          if (typeof c !== 'object' || c === null) throw new IntegrityError()
          const offset: unknown = Reflect.get(c, 'offset')
          const length: unknown = Reflect.get(c, 'length')
          if (typeof offset !== 'number' || typeof length !== 'number' || offset < 0 || offset + length > blob.length) throw new IntegrityError()
          return parseStoredChunk({ attachmentId: attachment.id, index, iv: b64(Reflect.get(c, 'iv')), ciphertext: blob.slice(offset, offset + length) })
        }),
      }
    }),
  }
}

function decodeSealedRows(
  value: unknown,
  b64: (value: unknown) => Uint8Array,
  formatOf: (get: (key: string) => unknown) => unknown,
): Record<string, SealedRow[]> {
  if (value === undefined) return {}
  if (typeof value !== 'object' || value === null) throw new IntegrityError()
  return Object.fromEntries(
    Object.entries(value).map(([store, rows]: [string, unknown]) => {
      if (!Array.isArray(rows)) throw new IntegrityError()
      return [
        store,
        rows.map((r: unknown): SealedRow => {
          if (typeof r !== 'object' || r === null) throw new IntegrityError()
          const id: unknown = Reflect.get(r, 'id')
          const createdAt: unknown = Reflect.get(r, 'createdAt')
          const updatedAt: unknown = Reflect.get(r, 'updatedAt')
          const format = formatOf((key) => Reflect.get(r, key))
          if (typeof id !== 'string' || typeof createdAt !== 'number' || typeof updatedAt !== 'number' || typeof format !== 'number') throw new IntegrityError()
          return { format, id, sealed: { iv: b64(Reflect.get(r, 'iv')), ciphertext: b64(Reflect.get(r, 'ciphertext')) }, createdAt, updatedAt }
        }),
      ]
    }),
  )
}
