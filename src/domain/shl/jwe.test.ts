import { describe, expect, it } from 'vitest'
import { decryptSHLFile, encryptSHLFile } from 'kill-the-clipboard'
import { fromBase64Url, toBase64Url, utf8 } from '../crypto/bytes.ts'
import { ShareFileTooLargeError, ShareFileUnreadableError } from './errors.ts'
import { decryptShareFile, encryptShareFile, inspectShareFile, newShareKey } from './jwe.ts'

const bundle = {
  resourceType: 'Bundle',
  type: 'collection',
  entry: [{ resource: { resourceType: 'AllergyIntolerance', code: { text: 'Penicillin' } } }],
}

const header = (jwe: string): unknown => JSON.parse(utf8.decode(fromBase64Url(jwe.split('.')[0] ?? '')))

describe('share files (JWE)', () => {
  it('round-trips a FHIR bundle as compact JWE with alg dir, enc A256GCM, zip DEF and cty application/fhir+json', async () => {
    const key = newShareKey()
    const jwe = await encryptShareFile(JSON.stringify(bundle), key)
    expect(header(jwe)).toEqual({ alg: 'dir', enc: 'A256GCM', cty: 'application/fhir+json', zip: 'DEF' })
    expect(jwe.split('.')[1]).toBe('')
    const { plaintext, contentType } = await decryptShareFile(jwe, key)
    expect(contentType).toBe('application/fhir+json')
    expect(JSON.parse(utf8.decode(plaintext))).toEqual(bundle)
  })

  it('leaves no plaintext in the file', async () => {
    const jwe = await encryptShareFile(JSON.stringify(bundle), newShareKey(), { compress: false })
    expect(jwe).not.toContain('Penicillin')
    expect(new TextDecoder('latin1').decode(fromBase64Url(jwe.split('.')[3] ?? ''))).not.toContain('Penicillin')
  })

  it('uses a fresh IV for every encryption under the same key', async () => {
    const key = newShareKey()
    const ivs = await Promise.all([1, 2, 3].map(async () => (await encryptShareFile('same', key)).split('.')[2]))
    expect(new Set(ivs).size).toBe(3)
  })

  it('refuses the file under another key, or once a byte of it changed', async () => {
    const key = newShareKey()
    const jwe = await encryptShareFile(JSON.stringify(bundle), key)
    await expect(decryptShareFile(jwe, newShareKey())).rejects.toBeInstanceOf(ShareFileUnreadableError)
    const parts = jwe.split('.')
    const ciphertext = fromBase64Url(parts[3] ?? '')
    ciphertext[0] = (ciphertext[0] ?? 0) ^ 1
    const changed = [parts[0], parts[1], parts[2], toBase64Url(ciphertext), parts[4]].join('.')
    await expect(decryptShareFile(changed, key)).rejects.toBeInstanceOf(ShareFileUnreadableError)
  })

  it('refuses a file that inflates past the size limit (a compression bomb)', async () => {
    const key = newShareKey()
    const bomb = await encryptShareFile(new Uint8Array(4 * 1_048_576), key)
    expect(bomb.length).toBeLessThan(20_000)
    await expect(decryptShareFile(bomb, key, { maxBytes: 1_048_576 })).rejects.toBeInstanceOf(ShareFileTooLargeError)
    expect((await decryptShareFile(bomb, key, { maxBytes: 4 * 1_048_576 })).plaintext.length).toBe(4 * 1_048_576)
  })

  it('refuses an uncompressed file longer than the limit before decrypting it', async () => {
    const key = newShareKey()
    const big = await encryptShareFile(new Uint8Array(300_000), key, { compress: false })
    await expect(decryptShareFile(big, key, { maxBytes: 100_000 })).rejects.toBeInstanceOf(ShareFileTooLargeError)
  })

  it('tells ciphertext in the required shape from anything else, without the key', async () => {
    expect(inspectShareFile(await encryptShareFile('{}', newShareKey())).cty).toBe('application/fhir+json')
    expect(() => inspectShareFile(JSON.stringify(bundle))).toThrow(/not a JWE in compact form/)
    const rsa = `${toBase64Url(utf8.encode('{"alg":"RSA-OAEP","enc":"A256GCM"}'))}.a2V5.aXZpdml2aXZpdml2.Y2lwaGVy.dGFndGFndGFndGFndGFn`
    expect(() => inspectShareFile(rsa)).toThrow(/carries a key/)
    const a128 = `${toBase64Url(utf8.encode('{"alg":"dir","enc":"A128GCM"}'))}..aXZpdml2aXZpdml2.Y2lwaGVy.dGFndGFndGFndGFndGFn`
    expect(() => inspectShareFile(a128)).toThrow(/alg "dir" and enc "A256GCM"/)
  })

  // Found by jwe.fuzz.test.ts: a character deleted from the IV left a length no base64url text
  // has (5 characters), and decoding it threw a TypeError instead of refusing the file.
  it('refuses an IV or tag of a length no base64url text has, as an unreadable file', async () => {
    const key = newShareKey()
    const parts = (await encryptShareFile('{}', key)).split('.')
    for (const changed of [[parts[0], '', 'AAAAA', parts[3], parts[4]], [parts[0], '', parts[2], parts[3], (parts[4] ?? '').slice(0, 21)]]) {
      expect(() => inspectShareFile(changed.join('.'))).toThrow(ShareFileUnreadableError)
      await expect(decryptShareFile(changed.join('.'), key)).rejects.toThrow(/IV or tag has the wrong length/)
    }
  })

  it('reads files made by an independent SMART Health Links implementation, and they read ours', async () => {
    const key = newShareKey()
    const theirs = await encryptSHLFile({ content: JSON.stringify(bundle), key, contentType: 'application/fhir+json', enableCompression: true })
    expect(JSON.parse(utf8.decode((await decryptShareFile(theirs, key)).plaintext))).toEqual(bundle)
    const ours = await encryptShareFile(JSON.stringify(bundle), key)
    const read = await decryptSHLFile({ jwe: ours, key })
    expect([JSON.parse(read.content), read.contentType]).toEqual([bundle, 'application/fhir+json'])
  })
})
