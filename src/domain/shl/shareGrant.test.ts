import { CompactEncrypt } from 'jose'
import { describe, expect, it } from 'vitest'
import { keccak256, stringToHex, toHex } from 'viem'
import { bearerGrantee } from '../consent/grantee.ts'
import { fromBase64Url, toBase64Url, utf8 } from '../crypto/bytes.ts'
import { ShareGrantTooLargeError, ShareGrantUnreadableError } from './errors.ts'
import { encryptShareFile, newShareKey } from './jwe.ts'
import {
  decryptShareGrant,
  encryptShareGrant,
  inspectShareGrant,
  MAX_SHARE_GRANT_LENGTH,
  SHARE_GRANT_CONTENT_TYPE,
  shareGrantUrl,
  type ShareGrant,
} from './shareGrant.ts'

const secret = keccak256(toHex('bearer secret'))
const grant: ShareGrant = {
  chainId: 84532,
  registry: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  terms: {
    patient: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    grantee: bearerGrantee(secret),
    scopeHash: keccak256(toHex('scope')),
    purpose: stringToHex('TREAT', { size: 32 }),
    validFrom: 1_800_000_000n,
    validUntil: 1_800_086_400n,
    dataHash: keccak256(toHex('data')),
    salt: keccak256(toHex('salt')),
  },
  bearerSecret: secret,
  label: 'Allergies and medications for Dr. Lovelace, Riverside Clinic — 2 Oct 2024 visit',
}

/** A JWE under `key` of any plaintext, marked as a grant: what a host that holds the key could make. */
const sealed = (plaintext: unknown, key: string) =>
  new CompactEncrypt(utf8.encode(typeof plaintext === 'string' ? plaintext : JSON.stringify(plaintext)))
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', cty: SHARE_GRANT_CONTENT_TYPE })
    .encrypt(fromBase64Url(key))

const problemOf = async (work: Promise<unknown>) => {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof ShareGrantUnreadableError)) throw new Error(`expected ShareGrantUnreadableError, got ${String(error)}`)
  return error.problem
}

describe('the grant beside the manifest', () => {
  it('reads back exactly what was encrypted: chain, registry, terms, bearer secret and label', async () => {
    const key = newShareKey()
    expect(await decryptShareGrant(await encryptShareGrant(grant, key), key)).toEqual(grant)
    const { bearerSecret: _secret, label: _label, ...bare } = grant
    expect(await decryptShareGrant(await encryptShareGrant(bare, key), key)).toEqual(bare)
  })

  it('stays well within the size a host keeps, with the longest label', async () => {
    const jwe = await encryptShareGrant({ ...grant, label: '🩺'.repeat(80) }, newShareKey())
    expect(jwe.length).toBeLessThan(MAX_SHARE_GRANT_LENGTH / 2)
  })

  it('is read by the host as a grant without the key, and holds no readable terms', async () => {
    const jwe = await encryptShareGrant(grant, newShareKey())
    expect(() => inspectShareGrant(jwe)).not.toThrow()
    for (const visible of [grant.terms.patient, grant.terms.patient.slice(2).toLowerCase(), 'Lovelace', grant.registry.slice(2).toLowerCase()]) {
      expect(jwe).not.toContain(visible)
      expect(new TextDecoder().decode(fromBase64Url(jwe.split('.')[3] ?? ''))).not.toContain(visible)
    }
  })

  it('refuses another key, and a grant changed anywhere: header, IV, ciphertext or tag', async () => {
    const key = newShareKey()
    const jwe = await encryptShareGrant(grant, key)
    expect(await problemOf(decryptShareGrant(jwe, newShareKey()))).toBe('the key does not open it, or it was changed')
    const parts = jwe.split('.')
    for (const index of [2, 3, 4]) {
      const bytes = fromBase64Url(parts[index] ?? '')
      bytes[0] = (bytes[0] ?? 0) ^ 1
      const changed = parts.map((p, i) => (i === index ? toBase64Url(bytes) : p)).join('.')
      expect(await problemOf(decryptShareGrant(changed, key))).toBe('the key does not open it, or it was changed')
    }
    // A header that still names a grant, but is not the one the tag covers.
    const header = toBase64Url(utf8.encode(JSON.stringify({ enc: 'A256GCM', alg: 'dir', cty: SHARE_GRANT_CONTENT_TYPE })))
    expect(await problemOf(decryptShareGrant([header, ...parts.slice(1)].join('.'), key))).toBe('the key does not open it, or it was changed')
  })

  it('refuses a share file offered as a grant, and anything but an uncompressed dir + A256GCM JWE', async () => {
    const key = newShareKey()
    expect(await problemOf(decryptShareGrant(await encryptShareFile('{}', key), key))).toBe('it is marked "application/fhir+json", not as a CareKey consent')
    expect(await problemOf(decryptShareGrant(JSON.stringify(grant.label), key))).toBe('it is not a JWE in compact form')
    const header = toBase64Url(utf8.encode(JSON.stringify({ alg: 'dir', enc: 'A256GCM', cty: SHARE_GRANT_CONTENT_TYPE, zip: 'DEF' })))
    const compressed = [header, '', toBase64Url(new Uint8Array(12)), toBase64Url(new Uint8Array(40)), toBase64Url(new Uint8Array(16))].join('.')
    expect(() => inspectShareGrant(compressed)).toThrow('a CareKey consent never is')
  })

  it('refuses a grant too large to be one before decrypting it', async () => {
    const key = newShareKey()
    const large = await sealed({ padding: 'x'.repeat(MAX_SHARE_GRANT_LENGTH) }, key)
    await expect(decryptShareGrant(large, key)).rejects.toBeInstanceOf(ShareGrantTooLargeError)
    expect(() => inspectShareGrant(large)).toThrow(ShareGrantTooLargeError)
  })

  it('names what is out of form in a grant the key opens', async () => {
    const key = newShareKey()
    const json = { v: 1, chainId: 84532, registry: grant.registry, terms: { ...grant.terms, validFrom: '1800000000', validUntil: '1800086400' } }
    expect(await decryptShareGrant(await sealed(json, key), key)).toMatchObject({ chainId: 84532 })
    expect(await problemOf(decryptShareGrant(await sealed('not json', key), key))).toBe('its content is not JSON')
    expect(await problemOf(decryptShareGrant(await sealed({ ...json, v: 2 }, key), key))).toBe('it is in format 2, and this CareKey reads format 1')
    expect(await problemOf(decryptShareGrant(await sealed({ ...json, chainId: 0 }, key), key))).toMatch(/^chainId: /)
    expect(await problemOf(decryptShareGrant(await sealed({ ...json, registry: '0x1234' }, key), key))).toMatch(/^registry: /)
    expect(await problemOf(decryptShareGrant(await sealed({ ...json, label: 'x'.repeat(81) }, key), key))).toBe('label: must be at most 80 characters')
    expect(await problemOf(decryptShareGrant(await sealed({ ...json, bearerSecret: '0x12' }, key), key))).toMatch(/^bearerSecret: /)
    const reversed = { ...json, terms: { ...json.terms, validUntil: '1700000000' } }
    expect(await problemOf(decryptShareGrant(await sealed(reversed, key), key))).toMatch(/^its terms are not valid \(/)
    expect(await problemOf(decryptShareGrant(await sealed([json], key), key))).toMatch(/^its content: /)
  })

  it('is served at the manifest URL followed by /grant', () => {
    expect(shareGrantUrl('https://carekey.example.org/shl/Y9xwkUdtmN9wwoJoN3ffJIhX2UGvCL1JnlPVNL3kDWM')).toBe(
      'https://carekey.example.org/shl/Y9xwkUdtmN9wwoJoN3ffJIhX2UGvCL1JnlPVNL3kDWM/grant',
    )
    expect(shareGrantUrl('http://localhost:8787/shl/abc/')).toBe('http://localhost:8787/shl/abc/grant')
  })
})
