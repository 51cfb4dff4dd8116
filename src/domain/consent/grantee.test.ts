import { describe, expect, it } from 'vitest'
import { hexToBytes, keccak256, zeroAddress } from 'viem'
import { InvalidAddressError, InvalidGrantTermsError } from './errors.ts'
import {
  addressGrantee,
  bearerGrantee,
  bearerSecretMatches,
  encodeGrantee,
  granteeAddress,
  newBearerSecret,
  parseAddress,
} from './grantee.ts'

const clinician = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'

describe('parseAddress', () => {
  it('accepts what people paste or scan, and returns the checksummed address', () => {
    expect(parseAddress(clinician, 'grantee')).toBe(clinician)
    expect(parseAddress(`  ${clinician.toLowerCase()}\n`, 'grantee')).toBe(clinician)
    expect(parseAddress(clinician.toUpperCase().replace('0X', '0x'), 'grantee')).toBe(clinician)
    expect(parseAddress(`ethereum:${clinician}`, 'grantee')).toBe(clinician)
    expect(parseAddress(`ethereum:${clinician}@31337`, 'grantee')).toBe(clinician)
  })

  it('refuses a malformed address, a typo caught by the checksum, and the empty address', () => {
    const reason = (text: string) => {
      try {
        parseAddress(text, 'grantee')
      } catch (error) {
        if (error instanceof InvalidAddressError) return error.userMessage
        throw error
      }
      return 'accepted'
    }
    expect(reason('0x1234')).toMatch(/not a valid account address/)
    expect(reason('hello')).toMatch(/not a valid account address/)
    expect(reason(`${clinician}00`)).toMatch(/not a valid account address/)
    // One letter's case flipped: the EIP-55 checksum no longer matches.
    expect(reason(clinician.replace('C51812', 'c51812'))).toMatch(/typo/)
    expect(reason(zeroAddress)).toMatch(/empty address/)
  })
})

describe('grantee encoding', () => {
  it('left-pads an address to 32 bytes', () => {
    expect(addressGrantee(clinician)).toBe('0x00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8')
    expect(encodeGrantee({ kind: 'address', address: clinician })).toBe(addressGrantee(clinician))
    expect(granteeAddress(addressGrantee(clinician))).toBe(clinician)
  })

  it('hashes the raw 32 bytes of a bearer secret with keccak256', () => {
    const secret = newBearerSecret()
    expect(secret).toMatch(/^0x[0-9a-f]{64}$/)
    expect(bearerGrantee(secret)).toBe(keccak256(hexToBytes(secret)))
    expect(encodeGrantee({ kind: 'bearer', secret })).toBe(bearerGrantee(secret))
    expect(granteeAddress(bearerGrantee(secret))).toBeUndefined()
  })

  it('gives every bearer grant its own secret', () => {
    const secrets = new Set(Array.from({ length: 50 }, newBearerSecret))
    expect(secrets.size).toBe(50)
  })

  it('recognises the secret a bearer grantee was made from, and no other', () => {
    const secret = newBearerSecret()
    const grantee = bearerGrantee(secret)
    expect(bearerSecretMatches(grantee, secret)).toBe(true)
    expect(bearerSecretMatches(grantee.toUpperCase().replace('0X', '0x') as `0x${string}`, secret)).toBe(true)
    expect(bearerSecretMatches(grantee, newBearerSecret())).toBe(false)
    expect(bearerSecretMatches(grantee, '0x1234')).toBe(false)
  })

  it('refuses a bearer secret that is not 32 bytes', () => {
    expect(() => bearerGrantee('0x1234')).toThrow(InvalidGrantTermsError)
  })
})
