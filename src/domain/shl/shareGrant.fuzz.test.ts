import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toBase64Url, utf8 } from '../crypto/bytes.ts'
import { encodePurpose, PURPOSES_OF_USE } from '../consent/purpose.ts'
import { grantTermsToJson } from '../consent/terms.ts'
import { anyText, edits, FUZZ_TEST_TIMEOUT_MS, fuzzAssertAsync, mutatedJsonText, parseOutcome, parseOutcomeAsync, tamperText } from '../../test/fuzz.ts'
import { shareInfo } from '../../test/shareArbitraries.ts'
import { ShareGrantTooLargeError, ShareGrantUnreadableError } from './errors.ts'
import { decryptShareGrant, encryptShareGrant, inspectShareGrant, SHARE_GRANT_CONTENT_TYPE, type ShareGrant } from './shareGrant.ts'

const keyBytes = fc.uint8Array({ minLength: 32, maxLength: 32 })
const shareKey = keyBytes.map(toBase64Url)

/**
 * A grant as the app writes it: genuine chain, registry and terms (a purpose CareKey offers; no
 * zero patient, grantee, scope or salt, which terms never have), a label now and then.
 */
const genuineGrant: fc.Arbitrary<ShareGrant> = fc
  .tuple(shareInfo, fc.constantFrom(...PURPOSES_OF_USE.map((p) => p.code)), fc.option(fc.string({ maxLength: 80 }), { nil: undefined }))
  .filter(([{ terms }]) => [terms.patient, terms.grantee, terms.scopeHash, terms.salt].every((hex) => BigInt(hex) !== 0n))
  .map(([info, purpose, label]) => ({
    ...info,
    terms: { ...info.terms, purpose: encodePurpose(purpose) },
    ...(label !== undefined && { label }),
  }))

/**
 * A grant made by someone who holds the link's key (whoever made the link): a well-formed JWE
 * marked as a grant around any plaintext, which the reader must still refuse or read safely.
 */
async function handMadeGrant(plaintext: string, key: Uint8Array): Promise<string> {
  const header = toBase64Url(utf8.encode(JSON.stringify({ alg: 'dir', enc: 'A256GCM', cty: SHARE_GRANT_CONTENT_TYPE })))
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const cryptoKey = await crypto.subtle.importKey('raw', Uint8Array.from(key), 'AES-GCM', false, ['encrypt'])
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: utf8.encode(header) }, cryptoKey, utf8.encode(plaintext)))
  return [header, '', toBase64Url(iv), toBase64Url(sealed.subarray(0, -16)), toBase64Url(sealed.subarray(-16))].join('.')
}

const validPlaintext = {
  v: 1,
  chainId: 31337,
  registry: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  terms: grantTermsToJson({
    patient: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
    grantee: `0x${'11'.repeat(32)}`,
    scopeHash: `0x${'22'.repeat(32)}`,
    purpose: encodePurpose('TREAT'),
    validFrom: 1_800_000_000n,
    validUntil: 1_800_086_400n,
    dataHash: `0x${'33'.repeat(32)}`,
    salt: `0x${'44'.repeat(32)}`,
  }),
  label: 'For Dr. Lee',
}

describe('the grant beside the manifest, fuzzed', { timeout: FUZZ_TEST_TIMEOUT_MS }, () => {
  it('reads every genuine grant back exactly', async () => {
    await fuzzAssertAsync(
      fc.asyncProperty(genuineGrant, shareKey, async (grant, key) => {
        expect(await decryptShareGrant(await encryptShareGrant(grant, key), key)).toEqual(grant)
      }),
      100,
    )
  })

  it('throws only CareKeyErrors on any text under any key, and the host does too without the key', async () => {
    await fuzzAssertAsync(
      fc.asyncProperty(anyText, fc.oneof(shareKey, anyText), async (jwe, key) => {
        parseOutcome(() => inspectShareGrant(jwe))
        expect((await parseOutcomeAsync(() => decryptShareGrant(jwe, key))).ok).toBe(false)
      }),
      300,
    )
  })

  it('throws only CareKeyErrors on a grant made with the key around any plaintext, and reads only well-formed grants', async () => {
    await fuzzAssertAsync(
      fc.asyncProperty(keyBytes, fc.oneof(mutatedJsonText(validPlaintext), anyText), async (key, plaintext) => {
        const outcome = await parseOutcomeAsync(async () => decryptShareGrant(await handMadeGrant(plaintext, key), toBase64Url(key)))
        if (!outcome.ok) return
        expect(Number.isSafeInteger(outcome.value.chainId) && outcome.value.chainId > 0).toBe(true)
        expect(outcome.value.terms.validUntil > outcome.value.terms.validFrom).toBe(true)
        expect([...(outcome.value.label ?? '')].length).toBeLessThanOrEqual(80)
      }),
      200,
    )
  })

  it('never reads a changed grant as another: refused, or (whitespace around it, unused bits of base64url) read as exactly the same', async () => {
    await fuzzAssertAsync(
      fc.asyncProperty(genuineGrant, shareKey, edits, fc.constantFrom('', ' ', '\n'), async (grant, key, list, around) => {
        const jwe = await encryptShareGrant(grant, key)
        const changed = `${around}${tamperText(jwe, list)}${around}`
        fc.pre(changed !== jwe)
        const outcome = await parseOutcomeAsync(() => decryptShareGrant(changed, key))
        if (!outcome.ok) {
          expect(outcome.error instanceof ShareGrantUnreadableError || outcome.error instanceof ShareGrantTooLargeError).toBe(true)
          return
        }
        expect(isDeepStrictEqual(outcome.value, grant)).toBe(true)
      }),
      250,
    )
  })
})
