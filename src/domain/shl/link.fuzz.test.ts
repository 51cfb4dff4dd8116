import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromBase64Url, toBase64Url, utf8 } from '../crypto/bytes.ts'
import { shareInfo, viewerCheck } from '../../test/shareArbitraries.ts'
import { anyText, edits, FUZZ_TEST_TIMEOUT_MS, fuzzAssert, fuzzAssertAsync, longRun, mutatedJsonText, parseOutcome, parseOutcomeAsync, tamperText } from '../../test/fuzz.ts'
import { careKeyExtension, readCareKeyExtension } from './carekeyExtension.ts'
import { ShareFileUnreadableError } from './errors.ts'
import { decryptShareFile, encryptShareFile } from './jwe.ts'
import { decodeShlink, encodeShlink, KEY_LENGTH, MAX_LABEL_LENGTH, MAX_LINK_LENGTH, MAX_URL_LENGTH, MIN_URL_ENTROPY_BITS, shlinkViewerUrl, urlEntropyBits, type ShlPayload, type ShlPayloadInput } from './link.ts'

/** A share id as the host makes them: 32 random bytes, base64url; kept only when it looks random enough. */
const shareId = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toBase64Url)
const shareKey = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toBase64Url)

/** Genuine link payloads, as CareKey and other SMART Health Links apps make them. */
const validInput: fc.Arbitrary<ShlPayloadInput> = fc
  .record({
    id: shareId,
    host: fc.constantFrom('https://share.example.org', 'http://localhost:8787', 'https://ehr.example.org/qr'),
    key: shareKey,
    flags: fc.subarray(['L', 'P', 'U'] as const).filter((f) => !(f.includes('P') && f.includes('U'))),
    label: fc.option(fc.oneof(fc.string({ maxLength: MAX_LABEL_LENGTH, unit: 'grapheme-ascii' }), fc.constantFrom('Allergies for Dr. Ōkubo', 'Résumé médical 🩺')), { nil: undefined }),
    exp: fc.option(fc.integer({ min: 1, max: 2 ** 40 }), { nil: undefined }),
    v: fc.constantFrom(undefined, 1),
    info: fc.option(shareInfo, { nil: undefined }),
  })
  .filter(({ host, id }) => urlEntropyBits(new URL(`${host}/shl/${id}`)) >= MIN_URL_ENTROPY_BITS)
  .map(({ host, id, key, flags, label, exp, v, info }) => ({
    url: `${host}/shl/${id}`,
    key,
    flags,
    ...(label !== undefined && { label }),
    ...(exp !== undefined && { exp }),
    ...(v !== undefined && { v }),
    ...(info && { extensions: careKeyExtension(info) }),
  }))

const viewer = fc.constantFrom(undefined, 'https://carekey.example.org/view', 'http://localhost:5173/view?x=1')
const validLink = fc.tuple(validInput, viewer).map(([input, at]) => ({ input, text: at ? shlinkViewerUrl(at, input) : encodeShlink(input) }))

/** The JSON a payload travels as, for mutating it field by field. */
const payloadJson = (text: string): unknown => JSON.parse(utf8.decode(fromBase64Url(text.slice(text.indexOf('shlink:/') + 8))))

/** What holds for every payload the decoder lets through: the rules of the specification, and a faithful round trip. */
function expectValidPayload(payload: ShlPayload): void {
  expect(payload.url.length).toBeLessThanOrEqual(MAX_URL_LENGTH)
  const url = new URL(payload.url)
  expect(['https:', 'http:']).toContain(url.protocol)
  expect(urlEntropyBits(url)).toBeGreaterThanOrEqual(MIN_URL_ENTROPY_BITS)
  expect(payload.key).toHaveLength(KEY_LENGTH)
  expect(fromBase64Url(payload.key)).toHaveLength(32)
  expect([...payload.flags].sort()).toEqual([...new Set(payload.flags)].sort())
  expect(payload.flags.includes('U') && payload.flags.includes('P')).toBe(false)
  if (payload.label !== undefined) expect([...payload.label].length).toBeLessThanOrEqual(MAX_LABEL_LENGTH)
  if (payload.exp !== undefined) expect(payload.exp).toBeGreaterThan(0)
  if (payload.v !== undefined) expect(payload.v).toBe(1)
  // Extensions are the payload's own `_` properties, kept as found in a plain object.
  expect(Object.getPrototypeOf(payload.extensions)).toBe(Object.prototype)
  for (const name of Object.keys(payload.extensions)) expect(name.startsWith('_')).toBe(true)
  // Written again, it reads the same (extension values as JSON writes them: 1e400 as null).
  expect(decodeShlink(encodeShlink(payload)).payload).toEqual(JSON.parse(JSON.stringify(payload)))
}

describe('the share link decoder, fuzzed', { timeout: FUZZ_TEST_TIMEOUT_MS }, () => {
  it('throws only CareKeyErrors on any text, with or without the shlink:/ prefix', () => {
    const text = fc.oneof(anyText, anyText.map((t) => `shlink:/${t}`), anyText.map((t) => `https://carekey.example.org/view#shlink:/${t}`))
    fuzzAssert(
      fc.property(text, (link) => {
        const outcome = parseOutcome(() => decodeShlink(link))
        if (outcome.ok) expectValidPayload(outcome.value.payload)
      }),
      300,
    )
  })

  it('throws only CareKeyErrors on any bytes behind the prefix', () => {
    fuzzAssert(
      fc.property(fc.uint8Array({ maxLength: 1_500 }), (bytes) => {
        const outcome = parseOutcome(() => decodeShlink(`shlink:/${toBase64Url(bytes)}`))
        if (outcome.ok) expectValidPayload(outcome.value.payload)
      }),
      200,
    )
  })

  it('reads a genuine payload with fields deleted, retyped, huge or named __proto__ by the rules, or refuses it with a CareKeyError', () => {
    const mutated = validLink.chain(({ text }) => mutatedJsonText(payloadJson(text)))
    fuzzAssert(
      fc.property(mutated, (json) => {
        const link = `shlink:/${toBase64Url(utf8.encode(json))}`
        const outcome = parseOutcome(() => decodeShlink(link))
        if (!outcome.ok) return
        expectValidPayload(outcome.value.payload)
        const found: unknown = JSON.parse(json)
        const underscored = Object.keys(found as object).filter((name) => name.startsWith('_'))
        expect(Object.keys(outcome.value.payload.extensions).sort()).toEqual(underscored.sort())
        // CareKey's own part is read apart; it too may throw only a CareKeyError.
        parseOutcome(() => readCareKeyExtension(outcome.value.payload))
      }),
      250,
    )
  })

  it('refuses a link too long for any QR code before decoding it', () => {
    fuzzAssert(
      fc.property(longRun, viewer, (run, at) => {
        const link = `${at ? `${at}#` : ''}shlink:/${run}`
        fc.pre(link.trim().length > MAX_LINK_LENGTH)
        const outcome = parseOutcome(() => decodeShlink(link))
        expect(outcome.ok).toBe(false)
        if (!outcome.ok) expect(outcome.error.message).toMatch(/characters long, far more than a share link/)
      }),
      20,
    )
  })

  it('reads every genuine link back as it was made', () => {
    fuzzAssert(
      fc.property(validLink, ({ input, text }) => {
        const { payload } = decodeShlink(` ${text}\n`)
        expect(payload).toEqual({ extensions: {}, ...input, flags: [...(input.flags ?? [])].sort() })
        expectValidPayload(payload)
      }),
      150,
    )
  })

  it('never lets a changed link open the files or check the grant of the original', async () => {
    // A link carries no integrity of its own (SMART Health Links make it the secret): a change is
    // caught where it matters. A changed key does not decrypt the shared files; a changed `_ck`
    // names another grant commitment, which the chain does not hold. url, label, exp and flags are
    // not protected by the link (the host enforces expiry, the passcode and the files it serves).
    const genuine = validLink.chain((link) => fc.constant(link))
    await fuzzAssertAsync(
      fc.asyncProperty(genuine, edits, async ({ input, text }, list) => {
        const changed = tamperText(text, list)
        fc.pre(changed !== text)
        const outcome = parseOutcome(() => decodeShlink(changed))
        if (!outcome.ok) return
        const { payload } = outcome.value
        expectValidPayload(payload)
        if (payload.key !== input.key) {
          const jwe = await encryptShareFile('{"resourceType":"Bundle"}', input.key)
          const opened = await parseOutcomeAsync(() => decryptShareFile(jwe, payload.key))
          expect(opened.ok).toBe(false)
          if (!opened.ok) expect(opened.error).toBeInstanceOf(ShareFileUnreadableError)
        }
        const grantInLink = (extensions: ShlPayload['extensions']) => {
          const part = readCareKeyExtension({ extensions })
          return part?.grant === 'in-link' ? part.info : undefined
        }
        const original = input.extensions ? grantInLink(input.extensions) : undefined
        const read = parseOutcome(() => grantInLink(payload.extensions))
        if (read.ok && read.value && original && !isDeepStrictEqual(read.value, original)) {
          // Changed: the viewer must not find the original grant, or must find the bearer secret wrong.
          const check = viewerCheck(read.value)
          expect(check.commitment !== viewerCheck(original).commitment || check.bearerMatches === false).toBe(true)
        }
      }),
      150,
    )
  })
})
