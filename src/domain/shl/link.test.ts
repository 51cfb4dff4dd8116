import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { SHL } from 'kill-the-clipboard'
import { fromBase64Url, toBase64Url, utf8 } from '../crypto/bytes.ts'
import { InvalidShareLinkError, UnsupportedShareLinkVersionError } from './errors.ts'
import { decodeShlink, encodeShlink, shlinkViewerUrl, type ShlPayloadInput } from './link.ts'
import { newShareKey } from './jwe.ts'
import { manifestUrlFor, newShareId } from './shareRequest.ts'

// The example payload from the SMART Health Links specification (STU1), "Example SMART Health Link Generation".
const SPEC_EXAMPLE =
  'shlink:/eyJ1cmwiOiJodHRwczovL2Voci5leGFtcGxlLm9yZy9xci9ZOXh3a1VkdG1OOXd3b0pvTjNmZkpJaFgyVUd2Q0wxSm5sUFZOTDNrRFdNL20iLCJmbGFnIjoiTFAiLCJrZXkiOiJyeFRnWWxPYUtKUEZ0Y0VkMHFjY2VOOHdFVTRwOTRTcUF3SVdRZTZ1WDdRIiwibGFiZWwiOiJCYWNrLXRvLXNjaG9vbCBpbW11bml6YXRpb25zIGZvciBPbGl2ZXIgQnJvd24ifQ'

const url = manifestUrlFor('https://share.example.org', 'Y9xwkUdtmN9wwoJoN3ffJIhX2UGvCL1JnlPVNL3kDWM')
const key = 'rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7Q'

/** Encodes any JSON as a link, bypassing our encoder's checks, to feed the decoder bad payloads. */
const rawLink = (json: unknown) => `shlink:/${toBase64Url(utf8.encode(JSON.stringify(json)))}`

function refusal(text: string): InvalidShareLinkError {
  try {
    decodeShlink(text)
  } catch (error) {
    if (error instanceof InvalidShareLinkError) return error
    throw error
  }
  throw new Error('the link was accepted')
}

describe('decoding a share link', () => {
  it('reads the example link of the specification', () => {
    const { payload, viewerUrl } = decodeShlink(SPEC_EXAMPLE)
    expect(payload).toEqual({
      url: 'https://ehr.example.org/qr/Y9xwkUdtmN9wwoJoN3ffJIhX2UGvCL1JnlPVNL3kDWM/m',
      key: 'rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7Q',
      flags: ['L', 'P'],
      label: 'Back-to-school immunizations for Oliver Brown',
      extensions: {},
    })
    expect(viewerUrl).toBeUndefined()
  })

  it('accepts the link behind a viewer URL, with whitespace around it as pasted or scanned', () => {
    const { payload, viewerUrl } = decodeShlink(`\n  https://viewer.example.org/view#${SPEC_EXAMPLE}  \t`)
    expect(payload.label).toBe('Back-to-school immunizations for Oliver Brown')
    expect(viewerUrl).toBe('https://viewer.example.org/view')
  })

  it('accepts the scheme in capitals (URI schemes are case-insensitive)', () => {
    expect(decodeShlink(SPEC_EXAMPLE.replace('shlink:/', 'SHLINK:/')).payload.flags).toEqual(['L', 'P'])
  })

  it('refuses text that is not a share link, saying so', () => {
    expect(refusal('').problem).toBe('is empty')
    expect(refusal('https://example.org/#section').problem).toBe('has no "#shlink:/" part')
    expect(refusal('hello').problem).toBe('does not start with "shlink:/"')
    expect(refusal('shlink:/').problem).toBe('has nothing after "shlink:/"')
    expect(refusal('shlink:/not*base64').field).toBe('link')
    expect(refusal(rawLink([1, 2])).problem).toBe('does not hold a JSON object')
  })

  it('refuses a url longer than 128 characters, naming its length', () => {
    const long = `https://share.example.org/${'a'.repeat(60)}/shl/${newShareId()}`
    const error = refusal(rawLink({ url: long, key }))
    expect(error.field).toBe('url')
    expect(error.problem).toBe(`must be at most 128 characters, it has ${long.length}`)
    expect(error.userMessage).toContain('its url must be at most 128 characters')
  })

  it('refuses a url without 256 random bits, such as a UUID or a repeated character', () => {
    const uuid = refusal(rawLink({ url: 'https://share.example.org/shl/6f1c2a4e-3b7d-4c9a-8e2f-1a2b3c4d5e6f', key }))
    expect(uuid.field).toBe('url')
    expect(uuid.problem).toMatch(/at least 256 bits/)
    expect(refusal(rawLink({ url: `https://share.example.org/shl/${'A'.repeat(43)}`, key })).field).toBe('url')
    // The host name is public, so a long host does not count.
    expect(refusal(rawLink({ url: `https://${newShareId().toLowerCase().replace(/[_-]/g, 'x')}.example.org/`, key })).field).toBe('url')
  })

  it('accepts 64 random hex characters in the url as 256 bits', () => {
    const hex = Array.from({ length: 64 }, (_, i) => '0123456789abcdef'[(i * 7 + 3) % 16]).join('')
    expect(decodeShlink(rawLink({ url: `https://share.example.org/m/${hex}`, key })).payload.url).toContain(hex)
  })

  it('refuses a url that is not http(s) or not a URL', () => {
    expect(refusal(rawLink({ url: `ftp://share.example.org/${newShareId()}`, key })).problem).toBe('must be an http(s) URL')
    expect(refusal(rawLink({ url: 'not a url', key })).problem).toBe('is not a URL')
    expect(refusal(rawLink({ key })).problem).toBe('is missing')
  })

  it('refuses a key that is not 43 base64url characters of 32 bytes, naming its length', () => {
    expect(refusal(rawLink({ url, key: key.slice(0, 40) })).problem).toBe('must be 43 characters, it has 40')
    expect(refusal(rawLink({ url, key: `${key.slice(0, 42)}+` })).problem).toMatch(/base64url characters/)
    // 'R' sets one of the two spare bits of the last character: not the encoding of 32 bytes.
    expect(refusal(rawLink({ url, key: `${key.slice(0, 42)}R` })).problem).toBe('is not the base64url encoding of 32 bytes')
    expect(refusal(rawLink({ url })).field).toBe('key')
  })

  it('reads flags L, P and U, ignores letters it does not know, and refuses U with P', () => {
    expect(decodeShlink(rawLink({ url, key, flag: 'PL' })).payload.flags).toEqual(['L', 'P'])
    expect(decodeShlink(rawLink({ url, key, flag: 'LU' })).payload.flags).toEqual(['L', 'U'])
    expect(decodeShlink(rawLink({ url, key, flag: 'LX' })).payload.flags).toEqual(['L'])
    expect(refusal(rawLink({ url, key, flag: 'PU' })).problem).toBe('cannot combine U (a single file) with P (passcode)')
    expect(refusal(rawLink({ url, key, flag: 'LL' })).problem).toBe('repeats a letter in "LL"')
    expect(refusal(rawLink({ url, key, flag: 'lp' })).field).toBe('flag')
    expect(refusal(rawLink({ url, key, flag: 3 })).field).toBe('flag')
  })

  it('takes a label of up to 80 characters, counting characters rather than UTF-16 units', () => {
    expect(decodeShlink(rawLink({ url, key, label: '🩺'.repeat(80) })).payload.label).toHaveLength(160)
    const error = refusal(rawLink({ url, key, label: 'x'.repeat(81) }))
    expect([error.field, error.problem]).toEqual(['label', 'must be at most 80 characters, it has 81'])
    expect(refusal(rawLink({ url, key, label: 7 })).field).toBe('label')
  })

  it('takes exp as a number of seconds and refuses anything else', () => {
    expect(decodeShlink(rawLink({ url, key, exp: 1_900_000_000 })).payload.exp).toBe(1_900_000_000)
    expect(refusal(rawLink({ url, key, exp: '1900000000' })).field).toBe('exp')
    expect(refusal(rawLink({ url, key, exp: -5 })).field).toBe('exp')
  })

  it('takes version 1 and refuses a newer protocol version with its own error', () => {
    expect(decodeShlink(rawLink({ url, key, v: 1 })).payload.v).toBe(1)
    expect(() => decodeShlink(rawLink({ url, key, v: 2 }))).toThrow(UnsupportedShareLinkVersionError)
    expect(refusal(rawLink({ url, key, v: 0 })).field).toBe('v')
    expect(refusal(rawLink({ url, key, v: 1.5 })).field).toBe('v')
  })

  it('keeps `_` extension properties and ignores other properties it does not know', () => {
    const { payload } = decodeShlink(rawLink({ url, key, _ck: 'abc', _other: { n: 1 }, somethingNew: true }))
    expect(payload.extensions).toEqual({ _ck: 'abc', _other: { n: 1 } })
    expect(payload).not.toHaveProperty('somethingNew')
  })

  // Found by link.fuzz.test.ts: a `__proto__` property became the prototype of the extensions,
  // so `_ck` was read through it while the payload itself had none (and a null one broke them).
  it('keeps a __proto__ property as an extension of its own, never as the prototype `_ck` is read through', () => {
    const json = `{"url":${JSON.stringify(url)},"key":"${key}","__proto__":{"_ck":"AQ"}}`
    const { payload } = decodeShlink(`shlink:/${toBase64Url(utf8.encode(json))}`)
    expect(Object.getPrototypeOf(payload.extensions)).toBe(Object.prototype)
    expect(Object.keys(payload.extensions)).toEqual(['__proto__'])
    expect(payload.extensions._ck).toBeUndefined()
    expect(decodeShlink(encodeShlink(payload)).payload).toEqual(payload)
    const withNull = decodeShlink(`shlink:/${toBase64Url(utf8.encode(`{"url":${JSON.stringify(url)},"key":"${key}","__proto__":null}`))}`)
    expect(Object.getPrototypeOf(withNull.payload.extensions)).toBe(Object.prototype)
  })
})

describe('encoding a share link', () => {
  it('writes minified JSON with the flags in alphabetical order, behind the viewer URL', () => {
    const link = shlinkViewerUrl('https://carekey.example.org/view#old', { url, key, flags: ['P', 'L'], label: 'For Dr. Ada' })
    expect(link.startsWith('https://carekey.example.org/view#shlink:/')).toBe(true)
    const json = utf8.decode(fromBase64Url(link.split('#shlink:/')[1] ?? ''))
    expect(json).toBe(`{"url":"${url}","key":"${key}","flag":"LP","label":"For Dr. Ada"}`)
  })

  it('refuses to encode a payload that breaks the rules', () => {
    expect(() => encodeShlink({ url, key, flags: ['P', 'U'] })).toThrow(InvalidShareLinkError)
    expect(() => encodeShlink({ url, key: 'short' })).toThrow(InvalidShareLinkError)
    expect(() => encodeShlink({ url, key, label: 'x'.repeat(81) })).toThrow(InvalidShareLinkError)
  })

  it('round-trips any valid payload', () => {
    const flags = fc.subarray(['L', 'P', 'U'] as const).filter((f) => !(f.includes('P') && f.includes('U')))
    fc.assert(
      fc.property(
        fc.record(
          {
            exp: fc.integer({ min: 1, max: 2 ** 40 }),
            flags,
            label: fc.string({ maxLength: 80, unit: 'grapheme-ascii' }),
            extensions: fc.constant({ _ck: 'x' }),
          },
          { requiredKeys: [] },
        ),
        (extra) => {
          const input: ShlPayloadInput = { url: manifestUrlFor('http://localhost:8787', newShareId()), key: newShareKey(), ...extra }
          const { payload } = decodeShlink(shlinkViewerUrl('http://localhost:5173/view', input))
          expect(payload).toEqual({ ...input, flags: [...(input.flags ?? [])].sort(), extensions: input.extensions ?? {} })
        },
      ),
    )
  })

  it('makes links that an independent SMART Health Links implementation reads the same way', () => {
    const link = shlinkViewerUrl('https://carekey.example.org/view', { url, key, exp: 1_900_000_000, flags: ['L', 'P'], label: 'Lab results' })
    const theirs = SHL.parse(link)
    expect([theirs.url, theirs.key, theirs.exp, theirs.flag, theirs.label]).toEqual([url, key, 1_900_000_000, 'LP', 'Lab results'])
  })
})
