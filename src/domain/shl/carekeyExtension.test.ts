import { describe, expect, it } from 'vitest'
import { bytesToHex, keccak256, stringToHex, toHex } from 'viem'
import { fromBase64Url, toBase64Url } from '../crypto/bytes.ts'
import { InvalidShareLinkError } from './errors.ts'
import { careKeyExtension, readCareKeyExtension, type CareKeyShareInfo } from './carekeyExtension.ts'
import { decodeShlink, shlinkViewerUrl } from './link.ts'
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

describe("CareKey's part of a share link (_ck)", () => {
  it('round-trips the chain, registry and grant terms through a link', () => {
    const link = shlinkViewerUrl('https://carekey.example.org/view', {
      url: manifestUrlFor('https://share.example.org', newShareId()),
      key: newShareKey(),
      flags: ['P'],
      extensions: careKeyExtension(info),
    })
    expect(readCareKeyExtension(decodeShlink(link).payload)).toEqual(info)
  })

  it('carries the bearer secret of a "whoever holds this QR" grant when there is one', () => {
    const withSecret = { ...info, bearerSecret: keccak256(toHex('bearer secret')) }
    expect(readCareKeyExtension({ extensions: careKeyExtension(withSecret) })).toEqual(withSecret)
  })

  it('keeps a full CareKey link short enough for a QR code a phone reads at arm’s length', () => {
    const link = shlinkViewerUrl('https://carekey.example.org/view', {
      url: manifestUrlFor('https://share.example.org', newShareId()),
      key: newShareKey(),
      exp: 1_800_086_400,
      flags: ['P'],
      label: 'Allergies and medications for Dr. Lovelace',
      extensions: careKeyExtension({ ...info, bearerSecret: info.terms.salt }),
    })
    // Version 25 at error correction M holds 997 bytes.
    expect(link.length).toBeLessThan(900)
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
    expect(bad(42)).toEqual(['_ck', 'must be text'])
    expect(bad(value.slice(0, 200))?.[1]).toMatch(/^must be 225 or 257 bytes, it has 150$/)
    const version2 = fromBase64Url(value)
    version2[0] = 2
    expect(bad(toBase64Url(version2))?.[1]).toBe('has version 2, this CareKey reads version 1')
    expect(bad('%%%')?.[1]).toBe('is not base64url')
  })
})
