import { describe, expect, it } from 'vitest'
import { bytesEqual, fromBase64Url } from '../crypto/bytes.ts'
import { deriveWalletKeys } from '../wallet/keys.ts'
import { parseRecoveryPhrase } from '../wallet/mnemonic.ts'
import { FORMAT1 } from '../../test/format1Fixture.ts'
import { decryptAttachment, encryptAttachment } from './attachments.ts'
import {
  BackupDamagedError,
  BackupFromAnotherWalletError,
  BackupTruncatedError,
  BackupVersionError,
  NotABackupError,
  openBackup,
  sealBackup,
  type BackupContents,
} from './backup.ts'
import { deriveRecordsKeys } from './keys.ts'
import { decryptResource, decryptSummary, encryptRecord, summarizeResource } from './records.ts'

const kek = () => crypto.subtle.generateKey({ name: 'AES-KW', length: 256 }, false, ['wrapKey', 'unwrapKey'])

async function contents(recordsKey: CryptoKey): Promise<BackupContents> {
  const resource = { resourceType: 'Condition' as const, subject: { display: 'Me' }, code: { text: 'Asthma' } }
  const summary = { ...(await summarizeResource(resource, 'entered')), id: crypto.randomUUID(), createdAt: 1, updatedAt: 1 }
  const file = randomFile(2_500_000)
  return {
    createdAt: 1_700_000_000_000,
    records: [await encryptRecord({ summary, resource }, recordsKey)],
    attachments: [await encryptAttachment(crypto.randomUUID(), file, recordsKey)],
  }
}

describe('backup file', () => {
  it('round-trips records and attachments exactly', async () => {
    const [recordsKey, backupKey] = [await kek(), await kek()]
    const original = await contents(recordsKey)
    const file = await sealBackup(original, backupKey)
    const opened = await openBackup(file, backupKey)
    expect(opened.records).toEqual(original.records)
    const [got, sent] = [opened.attachments[0], original.attachments[0]]
    expect(got?.attachment).toEqual(sent?.attachment)
    expect(got?.chunks.map((c) => c.iv)).toEqual(sent?.chunks.map((c) => c.iv))
    // Byte comparison: a deep equality over megabytes is needlessly slow.
    expect(got?.chunks.every((c, i) => bytesEqual(c.ciphertext, sent?.chunks[i]?.ciphertext ?? new Uint8Array()))).toBe(true)
  })

  it('carries each row’s format and version, and the sealed rows of consents and shares', async () => {
    const [recordsKey, backupKey] = [await kek(), await kek()]
    const sealedRow = (format: number) => ({ format, id: `c-${format}`, sealed: { iv: new Uint8Array(12).fill(format), ciphertext: new Uint8Array(40) }, createdAt: 1, updatedAt: 2 })
    const original = { ...(await contents(recordsKey)), sealedRows: { consents: [sealedRow(1), sealedRow(2)], shares: [] } }
    const opened = await openBackup(await sealBackup(original, backupKey), backupKey)
    expect(opened.records.map((r) => [r.format, r.format === 2 && r.version])).toEqual([[2, 1]])
    expect(opened.attachments.map((a) => a.attachment.format)).toEqual([2])
    expect(opened.sealedRows).toEqual(original.sealedRows)
    const [restored] = opened.records
    if (!restored) throw new Error('a record expected')
    expect(await decryptSummary(restored, recordsKey)).toMatchObject({ title: 'Asthma', version: 1 })
  })

  it('still opens a version 1 backup (format 1 rows, no formats named), as older CareKey wrote it', async () => {
    const wallet = await deriveWalletKeys(parseRecoveryPhrase(FORMAT1.phrase))
    const keys = await deriveRecordsKeys(wallet.root)
    const opened = await openBackup(fromBase64Url(FORMAT1.backup), keys.backup)
    expect(opened.records).toEqual(FORMAT1.records)
    expect(await Promise.all(opened.records.map(async (r) => (await decryptSummary(r, keys.records)).title))).toEqual(FORMAT1.expected.titles)
    const latex = opened.records[1]
    if (!latex) throw new Error('a second record expected')
    expect(await decryptResource(latex, keys.records)).toMatchObject({ code: { text: 'Latex' } })
    const [file] = opened.attachments
    expect(file?.attachment).toEqual(FORMAT1.attachments[0]?.attachment)
    expect(file && bytesEqual(await decryptAttachment(file.attachment, file.chunks, keys.records), fromBase64Url(FORMAT1.expected.attachment))).toBe(true)
    expect(opened.sealedRows?.consents?.map((r) => [r.format, r.id])).toEqual([[1, FORMAT1.expected.consent.id]])
    expect(opened.sealedRows?.shares?.map((r) => [r.format, r.id])).toEqual([[1, FORMAT1.expected.share.id]])
  })

  it('says a backup from a newer CareKey is one, rather than damaged', async () => {
    const backupKey = await kek()
    const file = await sealBackup(await contents(await kek()), backupKey)
    file[8] = 3
    await expect(openBackup(file, backupKey)).rejects.toBeInstanceOf(BackupVersionError)
  })

  it('refuses a backup made with another wallet', async () => {
    const file = await sealBackup(await contents(await kek()), await kek())
    await expect(openBackup(file, await kek())).rejects.toBeInstanceOf(BackupFromAnotherWalletError)
  })

  it('refuses a truncated backup, saying how much is missing', async () => {
    const backupKey = await kek()
    const file = await sealBackup(await contents(await kek()), backupKey)
    await expect(openBackup(file.slice(0, file.length - 1000), backupKey)).rejects.toThrow(BackupTruncatedError)
    await expect(openBackup(file.slice(0, 5), backupKey)).rejects.toThrow(BackupTruncatedError)
  })

  it('refuses a backup changed anywhere: header, payload, or extra bytes', async () => {
    const backupKey = await kek()
    const file = await sealBackup(await contents(await kek()), backupKey)
    const flip = (at: number) => {
      const copy = file.slice()
      copy[at] = (copy[at] ?? 0) ^ 1
      return copy
    }
    await expect(openBackup(flip(file.length - 10), backupKey)).rejects.toBeInstanceOf(BackupDamagedError)
    const headerEnd = file.indexOf(0x7d) // the header JSON's closing brace
    await expect(openBackup(flip(headerEnd - 2), backupKey)).rejects.toBeInstanceOf(BackupDamagedError)
    await expect(openBackup(new Uint8Array([...file, 0]), backupKey)).rejects.toBeInstanceOf(BackupDamagedError)
  })

  // Found by backup.fuzz.test.ts: the header is read before its integrity is checked, and a
  // changed character in its key text threw a TypeError instead of saying the file was damaged.
  it('refuses a backup whose header key text was changed into something that is not base64url', async () => {
    const backupKey = await kek()
    const file = await sealBackup({ createdAt: 1, records: [], attachments: [] }, backupKey)
    const headerLength = new DataView(file.buffer).getUint32(9)
    const header = new TextDecoder().decode(file.subarray(13, 13 + headerLength))
    const withHeader = (text: string) => {
      const bytes = new TextEncoder().encode(text)
      const changed = new Uint8Array([...file.subarray(0, 13), ...bytes, ...file.subarray(13 + headerLength)])
      new DataView(changed.buffer).setUint32(9, bytes.length)
      return changed
    }
    const at = header.indexOf('"wrappedKey":"') + 14
    for (const changed of [`${header.slice(0, at)}!${header.slice(at + 1)}`, `${header.slice(0, at)}${header.slice(at + 1)}`]) {
      await expect(openBackup(withHeader(changed), backupKey)).rejects.toThrow(/changed or damaged.*header is not readable/)
    }
  })

  it('says plainly when a file is not a backup at all', async () => {
    await expect(openBackup(new TextEncoder().encode('{"resourceType":"Bundle"}'), await kek())).rejects.toBeInstanceOf(NotABackupError)
    await expect(openBackup(new Uint8Array(), await kek())).rejects.toBeInstanceOf(NotABackupError)
  })
})

/** Random bytes of any length (getRandomValues gives at most 64 KiB per call). */
function randomFile(length: number): Uint8Array {
  const bytes = new Uint8Array(length)
  for (let i = 0; i < length; i += 65_536) crypto.getRandomValues(bytes.subarray(i, i + 65_536))
  return bytes
}
