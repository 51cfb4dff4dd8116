import { create } from 'qrcode'
import { describe, expect, it } from 'vitest'
import { bytesToHex, keccak256, stringToHex, toHex } from 'viem'
import { fromBase64Url, toBase64Url } from '../crypto/bytes.ts'
import { InvalidShareLinkError } from './errors.ts'
import { careKeyExtension, careKeyGrantAtHost, careKeyShareLink, readCareKeyExtension, type CareKeyShareInfo } from './carekeyExtension.ts'
import { decodeShlink, shlinkViewerUrl, type ShlFlag } from './link.ts'
import { newShareKey } from './jwe.ts'
import { manifestUrlFor, newShareId } from './shareRequest.ts'

const info: CareKeyShareInfo = {
  chainId: 84532,
  registry: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  terms: {
    patient: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    grantee: keccak256(toHex('bearer secret')),
    scopeHash: keccak256(toHex('scope')),
    purpose: stringToHex('TREAT', { size: 32 }),
    validFrom: 1_800_000_000n,
    validUntil: 1_800_086_400n,
    dataHash: keccak256(toHex('data')),
    salt: keccak256(toHex('salt')),
  },
}

/** The QR version the app's QR code (src/ui/QrCode.tsx) draws a text at: error correction M. */
const qrVersion = (text: string) => create(text, { errorCorrectionLevel: 'M' }).version

describe('a consent link as the QR code shows it (the grant at the share host)', () => {
  const link = (origin: string, shareHost: string, flags: ShlFlag[] = ['L', 'P']) =>
    careKeyShareLink(`${origin}/view`, { manifestUrl: manifestUrlFor(shareHost, newShareId()), key: newShareKey(), flags })

  it('is a plain SMART Health Link (url, key, flag) with "_ck":2 and no terms, label or expiry', () => {
    const { payload, viewerUrl } = decodeShlink(link('https://carekey.example.org', 'https://carekey.example.org'))
    expect(viewerUrl).toBe('https://carekey.example.org/view')
    expect(payload).toEqual({ url: expect.stringMatching(/^https:\/\/carekey\.example\.org\/shl\/[\w-]{43}$/) as unknown, key: expect.any(String) as unknown, flags: ['L', 'P'], extensions: { _ck: 2 } })
    expect(readCareKeyExtension(payload)).toEqual({ grant: 'at-host' })
  })

  it('is a version 11 QR code at M where the app is served (one origin for the app and its share host), and on the local stack', () => {
    // The worst case: a passcode (flag LP), on an origin as long as the README's example.
    const served = link('https://carekey.example.org', 'https://carekey.example.org')
    expect(served.length).toBeLessThanOrEqual(251)
    expect(qrVersion(served)).toBe(11)
    expect(qrVersion(link('http://localhost:5173', 'http://localhost:8787'))).toBe(11)
    // The form before, with the grant in the link: about 760 characters, version 22.
    const before = shlinkViewerUrl('https://carekey.example.org/view', {
      ...decodeShlink(served).payload,
      exp: 1_800_086_400,
      label: 'CareKey shared records',
      extensions: careKeyExtension({ ...info, bearerSecret: info.terms.salt }),
    })
    expect(qrVersion(before)).toBeGreaterThanOrEqual(21)
  })

  it('costs 11 characters over the plain SMART Health Link, which alone needs version 11 at this origin', () => {
    const served = link('https://carekey.example.org', 'https://carekey.example.org')
    const { payload } = decodeShlink(served)
    const plain = shlinkViewerUrl('https://carekey.example.org/view', { url: payload.url, key: payload.key, flags: payload.flags })
    expect(served.length - plain.length).toBeLessThanOrEqual(11)
    // The url's 256 random bits and the key's 256 are encoded twice (base64url inside base64url JSON):
    // no SMART Health Link behind a viewer URL of this length fits version 10 at M (213 bytes).
    expect(qrVersion(plain)).toBe(11)
  })
})

describe("CareKey's part of a share link (_ck)", () => {
  it('says the grant is at the share host for "_ck":2', () => {
    expect(readCareKeyExtension({ extensions: careKeyGrantAtHost() })).toEqual({ grant: 'at-host' })
  })

  it('round-trips the chain, registry and grant terms through a link that carries them (links made before)', () => {
    const link = shlinkViewerUrl('https://carekey.example.org/view', {
      url: manifestUrlFor('https://share.example.org', newShareId()),
      key: newShareKey(),
      flags: ['P'],
      extensions: careKeyExtension(info),
    })
    expect(readCareKeyExtension(decodeShlink(link).payload)).toEqual({ grant: 'in-link', info })
  })

  it('carries the bearer secret of a "whoever holds this QR" grant when there is one', () => {
    const withSecret = { ...info, bearerSecret: keccak256(toHex('bearer secret')) }
    expect(readCareKeyExtension({ extensions: careKeyExtension(withSecret) })).toEqual({ grant: 'in-link', info: withSecret })
  })

  it('packs the chain id, registry and patient first, big-endian, as documented', () => {
    const bytes = fromBase64Url(careKeyExtension(info)._ck)
    expect(bytes[0]).toBe(1)
    expect(bytesToHex(bytes.subarray(1, 9))).toBe(toHex(84532n, { size: 8 }))
    expect(bytesToHex(bytes.subarray(9, 29))).toBe(info.registry.toLowerCase())
    expect(bytesToHex(bytes.subarray(29, 49))).toBe(info.terms.patient.toLowerCase())
  })

  it('is absent from links made by other apps', () => {
    expect(readCareKeyExtension({ extensions: {} })).toBeUndefined()
  })

  it('refuses a damaged or unknown-version value, naming _ck', () => {
    const value = careKeyExtension(info)._ck
    const bad = (v: unknown) => {
      try {
        readCareKeyExtension({ extensions: { _ck: v } })
      } catch (error) {
        if (error instanceof InvalidShareLinkError) return [error.field, error.problem]
        throw error
      }
      return undefined
    }
    expect(bad(42)).toEqual(['_ck', 'must be text or 2, it is 42'])
    expect(bad({ grant: 'x' })).toEqual(['_ck', 'must be text or 2, it is object'])
    expect(bad(value.slice(0, 200))?.[1]).toMatch(/^must be 225 or 257 bytes, it has 150$/)
    const version2 = fromBase64Url(value)
    version2[0] = 2
    expect(bad(toBase64Url(version2))?.[1]).toBe('has version 2, this CareKey reads version 1')
    expect(bad('%%%')?.[1]).toBe('is not base64url')
  })
})
