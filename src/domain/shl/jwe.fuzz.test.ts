import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesEqual, toBase64Url, utf8 } from '../crypto/bytes.ts'
import { anyText, edits, FUZZ_TEST_TIMEOUT_MS, fuzzAssertAsync, mutatedJsonText, parseOutcome, parseOutcomeAsync, tamperText } from '../../test/fuzz.ts'
import { ShareFileTooLargeError, ShareFileUnreadableError } from './errors.ts'
import { decryptShareFile, encryptShareFile, inspectShareFile } from './jwe.ts'

const keyBytes = fc.uint8Array({ minLength: 32, maxLength: 32 })
const shareKey = keyBytes.map(toBase64Url)
const b64url = (maxLength: number) => fc.uint8Array({ maxLength }).map(toBase64Url)
const segment = fc.oneof(b64url(40), fc.string({ unit: fc.constantFrom(...'AQgw-_Zz09'), maxLength: 30 }), anyText)

/** What genuine share files are made of: FHIR JSON or any bytes, compressed or not, under a random key. */
const genuine = fc.record({
  key: shareKey,
  content: fc.oneof(fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? 'null'), fc.uint8Array({ maxLength: 300 })),
  compress: fc.boolean(),
})

/** A genuine share file, made with the real encryption (and its random IV). */
async function encrypt(file: { key: string; content: string | Uint8Array; compress: boolean }): Promise<string> {
  return encryptShareFile(file.content, file.key, { compress: file.compress })
}

/**
 * A share file made by someone who holds the link's key (whoever made the link): a well-formed
 * JWE around any header and any bytes, which the decoder must still refuse or read safely.
 */
async function handMadeJwe(header: string, plaintext: Uint8Array, key: Uint8Array): Promise<string> {
  const encodedHeader = toBase64Url(utf8.encode(header))
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const cryptoKey = await crypto.subtle.importKey('raw', Uint8Array.from(key), 'AES-GCM', false, ['encrypt'])
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: utf8.encode(encodedHeader) }, cryptoKey, Uint8Array.from(plaintext)),
  )
  return [encodedHeader, '', toBase64Url(iv), toBase64Url(sealed.subarray(0, -16)), toBase64Url(sealed.subarray(-16))].join('.')
}

const validHeader = { alg: 'dir', enc: 'A256GCM', cty: 'application/fhir+json', zip: 'DEF' }

describe('the share file (JWE) reader, fuzzed', { timeout: FUZZ_TEST_TIMEOUT_MS }, () => {
  it('throws only CareKeyErrors on any text, and on five parts of any text', async () => {
    const fiveParts = fc.array(segment, { minLength: 5, maxLength: 5 }).map((parts) => parts.join('.'))
    await fuzzAssertAsync(
      fc.asyncProperty(fc.oneof(anyText, fiveParts), fc.oneof(shareKey, anyText), async (jwe, key) => {
        parseOutcome(() => inspectShareFile(jwe))
        const outcome = await parseOutcomeAsync(() => decryptShareFile(jwe, key))
        expect(outcome.ok).toBe(false)
      }),
      300,
    )
  })

  it('throws only CareKeyErrors on a genuine file whose header was changed field by field', async () => {
    const mutatedHeader = mutatedJsonText(validHeader)
    await fuzzAssertAsync(
      fc.asyncProperty(genuine, mutatedHeader, async (file, header) => {
        const jwe = await encrypt(file)
        const withHeader = [toBase64Url(utf8.encode(header)), ...jwe.split('.').slice(1)].join('.')
        parseOutcome(() => inspectShareFile(withHeader))
        const outcome = await parseOutcomeAsync(() => decryptShareFile(withHeader, file.key))
        // The header is authenticated: only the very same header opens the file.
        if (outcome.ok) expect(withHeader.split('.')[0]).toBe(jwe.split('.')[0])
      }),
      150,
    )
  })

  it('throws only CareKeyErrors on a file made with the key around any header and any bytes (bad DEFLATE included)', async () => {
    const header = fc.oneof(fc.constant(JSON.stringify(validHeader)), mutatedJsonText(validHeader))
    await fuzzAssertAsync(
      fc.asyncProperty(keyBytes, header, fc.uint8Array({ maxLength: 2_000 }), async (key, h, plaintext) => {
        const jwe = await handMadeJwe(h, plaintext, key)
        const outcome = await parseOutcomeAsync(() => decryptShareFile(jwe, toBase64Url(key), { maxBytes: 1_000_000 }))
        if (outcome.ok) expect(outcome.value.plaintext.length).toBeLessThanOrEqual(1_000_000)
      }),
      150,
    )
  })

  it('refuses a file far longer than the size limit before reading it', async () => {
    await fuzzAssertAsync(
      fc.asyncProperty(fc.integer({ min: 1, max: 4_096 }), fc.constantFrom('A', '.', '!', ' '), async (limit, unit) => {
        const text = unit.repeat(Math.ceil((limit * 4) / 3) + 4_097)
        const outcome = await parseOutcomeAsync(() => decryptShareFile(text, 'A'.repeat(43), { maxBytes: limit }))
        expect(outcome.ok).toBe(false)
        if (!outcome.ok) expect(outcome.error).toBeInstanceOf(ShareFileTooLargeError)
      }),
      20,
    )
  })

  it('never accepts a changed file: refused, or (whitespace around it, unused bits of base64url) read as exactly the same', async () => {
    await fuzzAssertAsync(
      fc.asyncProperty(genuine, edits, fc.constantFrom('', ' ', '\n'), async (file, list, around) => {
        const jwe = await encrypt(file)
        const changed = `${around}${tamperText(jwe, list)}${around}`
        fc.pre(changed !== jwe)
        const outcome = await parseOutcomeAsync(() => decryptShareFile(changed, file.key))
        if (!outcome.ok) {
          expect(outcome.error).toBeInstanceOf(ShareFileUnreadableError)
          return
        }
        const expected = typeof file.content === 'string' ? utf8.encode(file.content) : file.content
        expect(bytesEqual(outcome.value.plaintext, expected)).toBe(true)
        expect(outcome.value.contentType).toBe('application/fhir+json')
      }),
      250,
    )
  })
})
