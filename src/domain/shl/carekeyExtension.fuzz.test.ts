import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromBase64Url, toBase64Url } from '../crypto/bytes.ts'
import { anyText, edits, FUZZ_TEST_TIMEOUT_MS, fuzzAssert, hostileValue, parseOutcome, tamperBytes, tamperText } from '../../test/fuzz.ts'
import { shareInfo, viewerCheck } from '../../test/shareArbitraries.ts'
import { CAREKEY_EXTENSION_VERSION, careKeyExtension, readCareKeyExtension, type CareKeyShareInfo } from './carekeyExtension.ts'

/** The grant a `_ck` value carries, when it carries one (links made before the grant moved to the host). */
const read = (value: unknown) =>
  parseOutcome(() => {
    const part = readCareKeyExtension({ extensions: { _ck: value } })
    return part?.grant === 'in-link' ? part.info : undefined
  })

/** What holds for everything the decoder reads: a possible grant, written back to the very same text. */
function expectFaithful(info: CareKeyShareInfo, text: string): void {
  expect(Number.isSafeInteger(info.chainId) && info.chainId > 0).toBe(true)
  expect(info.terms.validUntil > info.terms.validFrom).toBe(true)
  expect(careKeyExtension(info)._ck).toBe(toBase64Url(fromBase64Url(text)))
}

describe("the _ck decoder (CareKey's part of a share link), fuzzed", { timeout: FUZZ_TEST_TIMEOUT_MS }, () => {
  it('throws only CareKeyErrors on any value: text, numbers, objects, prototype keys', () => {
    fuzzAssert(
      fc.property(fc.oneof(hostileValue, anyText), (value) => {
        const outcome = read(value)
        if (outcome.ok && outcome.value && typeof value === 'string') expectFaithful(outcome.value, value)
      }),
      200,
    )
  })

  it('throws only CareKeyErrors on any bytes of the right length and version, or reads a grant it writes back the same', () => {
    const sized = fc.oneof(fc.constant(225), fc.constant(257), fc.integer({ min: 0, max: 400 }))
    // Mostly with the right version byte, so that the fields behind it are read.
    const raw = fc.tuple(sized.chain((length) => fc.uint8Array({ minLength: length, maxLength: length })), fc.nat(3)).map(([bytes, pick]) => {
      if (pick > 0 && bytes.length > 0) bytes[0] = CAREKEY_EXTENSION_VERSION
      return toBase64Url(bytes)
    })
    fuzzAssert(
      fc.property(raw, (text) => {
        const outcome = read(text)
        if (outcome.ok && outcome.value) expectFaithful(outcome.value, text)
      }),
      300,
    )
  })

  it('reads every genuine _ck back exactly', () => {
    fuzzAssert(
      fc.property(shareInfo, (info) => {
        expect(readCareKeyExtension({ extensions: careKeyExtension(info) })).toEqual({ grant: 'in-link', info })
      }),
      100,
    )
  })

  it('never reads a changed _ck as a grant the viewer would accept for the original', () => {
    // Bytes changed, inserted, deleted anywhere: refused, or read as other terms (another
    // commitment, which the chain does not hold) or a bearer secret that does not match.
    const changes = fc.oneof(
      edits.map((list) => ({ bytes: list })),
      edits.map((list) => ({ text: list })),
    )
    fuzzAssert(
      fc.property(shareInfo, changes, (info, change) => {
        const genuine = careKeyExtension(info)._ck
        const changed = 'bytes' in change ? toBase64Url(tamperBytes(fromBase64Url(genuine), change.bytes)) : tamperText(genuine, change.text)
        fc.pre(changed !== genuine)
        const outcome = read(changed)
        if (!outcome.ok || !outcome.value || isDeepStrictEqual(outcome.value, info)) return
        const check = viewerCheck(outcome.value)
        expect(check.commitment !== viewerCheck(info).commitment || check.bearerMatches === false).toBe(true)
      }),
      300,
    )
  })
})
