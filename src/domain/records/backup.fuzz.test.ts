import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { fromBase64Url, toBase64Url, utf8 } from '../crypto/bytes.ts'
import { createDataKey, unwrapDataKey, wrapDataKey } from '../crypto/envelope.ts'
import { edits, FUZZ_TEST_TIMEOUT_MS, fuzzAssertAsync, mutatedJsonText, parseOutcomeAsync, tamperBytes } from '../../test/fuzz.ts'
import { encryptAttachment } from './attachments.ts'
import { BackupDamagedError, BackupFromAnotherWalletError, BackupTruncatedError, BackupVersionError, NotABackupError, openBackup, sealBackup, type BackupContents } from './backup.ts'
import { encryptRecord, summarizeResource } from './records.ts'

const MAGIC = utf8.encode('CKBACKUP')
const BACKUP_ERRORS = [NotABackupError, BackupTruncatedError, BackupDamagedError, BackupFromAnotherWalletError, BackupVersionError]

let backupKey: CryptoKey
let genuine: Uint8Array
let contents: BackupContents
/** The genuine file's payload (manifest and attachment chunks) in the clear, to change it field by field. */
let manifest: unknown
let blob: Uint8Array

beforeAll(async () => {
  const kek = () => crypto.subtle.generateKey({ name: 'AES-KW', length: 256 }, false, ['wrapKey', 'unwrapKey'])
  const recordsKey = await kek()
  backupKey = await kek()
  const resource = { resourceType: 'Condition' as const, subject: { display: 'Me' }, code: { text: 'Asthma' } }
  const summary = { ...(await summarizeResource(resource, 'entered')), id: crypto.randomUUID(), createdAt: 1, updatedAt: 2 }
  contents = {
    createdAt: 1_700_000_000_000,
    records: [await encryptRecord({ summary, resource }, recordsKey)],
    attachments: [await encryptAttachment(crypto.randomUUID(), crypto.getRandomValues(new Uint8Array(1_500)), recordsKey)],
    sealedRows: { consents: [{ format: 2, id: crypto.randomUUID(), sealed: { iv: new Uint8Array(12), ciphertext: new Uint8Array(40) }, createdAt: 1, updatedAt: 2 }] },
  }
  genuine = await sealBackup(contents, backupKey)
  const payload = await openPayload(genuine)
  const length = new DataView(payload.buffer).getUint32(0)
  manifest = JSON.parse(utf8.decode(payload.subarray(4, 4 + length)))
  blob = payload.slice(4 + length)
})

/** The payload of a backup file, decrypted as openBackup does (to build changed ones from it). */
async function openPayload(file: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const view = new DataView(file.buffer, file.byteOffset)
  const prefixLength = 13 + view.getUint32(9)
  const header = JSON.parse(utf8.decode(file.subarray(13, prefixLength))) as { wrappedKey: string; iv: string }
  const fileKey = await unwrapDataKey(fromBase64Url(header.wrappedKey), backupKey)
  const iv = Uint8Array.from(fromBase64Url(header.iv))
  return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: file.slice(0, prefixLength) }, fileKey, file.slice(prefixLength)))
}

/**
 * A backup file made by someone with the wallet's backup key (an older or a broken CareKey, or
 * the patient's own tools): the real container around any header text and any payload bytes.
 */
async function sealedContainer(payload: Uint8Array, header?: (real: Record<string, unknown>) => string): Promise<Uint8Array> {
  const fileKey = await createDataKey()
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const real = { wrappedKey: toBase64Url(await wrapDataKey(fileKey, backupKey)), iv: toBase64Url(iv), payloadLength: payload.length + 16, createdAt: 1 }
  const headerBytes = utf8.encode(header ? header(real) : JSON.stringify(real))
  const prefix = new Uint8Array(13 + headerBytes.length)
  prefix.set(MAGIC)
  prefix[8] = 1
  new DataView(prefix.buffer).setUint32(9, headerBytes.length)
  prefix.set(headerBytes, 13)
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: prefix }, fileKey, Uint8Array.from(payload)))
  return Uint8Array.from([...prefix, ...ciphertext])
}

const payloadOf = (manifestText: string, chunks: Uint8Array) => {
  const json = utf8.encode(manifestText)
  const payload = new Uint8Array(4 + json.length + chunks.length)
  new DataView(payload.buffer).setUint32(0, json.length)
  payload.set(json, 4)
  payload.set(chunks, 4 + json.length)
  return payload
}

const HEADER_TEMPLATE = { wrappedKey: '@wrappedKey', iv: '@iv', payloadLength: '@payloadLength', createdAt: 1_700_000_000_000 }
const fillTemplate = (text: string, real: Record<string, unknown>) =>
  text
    .replace('"@wrappedKey"', JSON.stringify(real.wrappedKey))
    .replace('"@iv"', JSON.stringify(real.iv))
    .replace('"@payloadLength"', String(real.payloadLength))

describe('the backup file reader (.carekey), fuzzed', { timeout: FUZZ_TEST_TIMEOUT_MS }, () => {
  it('throws only CareKeyErrors on any bytes, with or without the CKBACKUP magic in front', async () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 3_000 }),
      fc.tuple(fc.uint8Array({ minLength: 5, maxLength: 5 }), fc.uint8Array({ maxLength: 3_000 })).map(([head, rest]) => Uint8Array.from([...MAGIC, 1, ...head, ...rest])),
    )
    await fuzzAssertAsync(
      fc.asyncProperty(bytes, async (file) => {
        expect((await parseOutcomeAsync(() => openBackup(file, backupKey))).ok).toBe(false)
      }),
      200,
    )
  })

  it('throws only CareKeyErrors on a genuine file whose header (authenticated, but read before the check) was changed field by field', async () => {
    const header = utf8.decode(genuine.subarray(13, 13 + new DataView(genuine.buffer, genuine.byteOffset).getUint32(9)))
    await fuzzAssertAsync(
      fc.asyncProperty(mutatedJsonText(JSON.parse(header)), async (changed) => {
        const bytes = utf8.encode(changed)
        const file = new Uint8Array(13 + bytes.length + genuine.length)
        file.set(genuine.subarray(0, 9))
        new DataView(file.buffer).setUint32(9, bytes.length)
        file.set(bytes, 13)
        file.set(genuine.subarray(genuine.length - Math.min(genuine.length, 2_000)), 13 + bytes.length)
        expect((await parseOutcomeAsync(() => openBackup(file, backupKey))).ok).toBe(false)
      }),
      150,
    )
  })

  it('throws only CareKeyErrors on a file sealed with the backup key around any header, payload or manifest', async () => {
    const made: fc.Arbitrary<{ payload: Uint8Array; header?: string }> = fc.oneof(
      fc.uint8Array({ maxLength: 2_000 }).map((payload) => ({ payload })),
      fc.constant(null).chain(() => mutatedJsonText(manifest)).map((text) => ({ payload: payloadOf(text, blob) })),
      // The header's real values are known only when the file is sealed: the template names them.
      fc.constant(null).chain(() => mutatedJsonText(HEADER_TEMPLATE)).map((text) => ({ payload: payloadOf(JSON.stringify(manifest), blob), header: text })),
    )
    await fuzzAssertAsync(
      fc.asyncProperty(made, async ({ payload, header }) => {
        const file = await sealedContainer(payload, header === undefined ? undefined : (real) => fillTemplate(header, real))
        const outcome = await parseOutcomeAsync(() => openBackup(file, backupKey))
        if (outcome.ok) {
          // Whatever it accepts is rows in the shape storage keeps them.
          for (const record of outcome.value.records) expect(record.wrappedKey).toBeInstanceOf(Uint8Array)
          for (const { attachment, chunks } of outcome.value.attachments) expect(chunks).toHaveLength(attachment.chunkCount)
        }
      }),
      200,
    )
  })

  it('never accepts a changed file: every byte is covered by its integrity check', async () => {
    await fuzzAssertAsync(
      fc.asyncProperty(edits, async (list) => {
        const changed = tamperBytes(genuine, list)
        fc.pre(changed.length !== genuine.length || changed.some((b, i) => b !== genuine[i]))
        const outcome = await parseOutcomeAsync(() => openBackup(changed, backupKey))
        expect(outcome.ok).toBe(false)
        if (!outcome.ok) expect(BACKUP_ERRORS.some((type) => outcome.error instanceof type)).toBe(true)
      }),
      300,
    )
  })

  it('reads the genuine file it was given', async () => {
    expect((await openBackup(genuine, backupKey)).records).toEqual(contents.records)
  })
})
