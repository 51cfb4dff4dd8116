import { describe, expect, it } from 'vitest'
import { addressSchema, bytes32Schema, hexSchema } from './hex.ts'

const checksummed = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'

describe('hex and address schemas', () => {
  it('reads an address in its checksummed or lowercase form, as written', () => {
    expect(addressSchema.parse(checksummed)).toBe(checksummed)
    expect(addressSchema.parse(checksummed.toLowerCase())).toBe(checksummed.toLowerCase())
  })

  it('refuses an address with a wrong checksum, the wrong length or no 0x', () => {
    const wrongChecksum = checksummed.replace('C51812', 'c51812')
    for (const bad of [wrongChecksum, checksummed.slice(0, 40), checksummed.slice(2), 42, undefined]) {
      expect(addressSchema.safeParse(bad).success).toBe(false)
    }
    expect(addressSchema.safeParse(wrongChecksum).error?.issues[0]?.message).toBe('must be a 0x-prefixed 20-byte address')
  })

  it('reads 32 bytes of hex as lowercase and refuses any other length', () => {
    expect(bytes32Schema.parse(`0x${'AB'.repeat(32)}`)).toBe(`0x${'ab'.repeat(32)}`)
    for (const bad of [`0x${'ab'.repeat(31)}`, `0x${'ab'.repeat(33)}`, 'ab'.repeat(32), `0x${'zz'.repeat(32)}`]) {
      expect(bytes32Schema.safeParse(bad).error?.issues[0]?.message).toBe('must be 32 bytes of 0x-prefixed hex')
    }
  })

  it('reads any 0x-prefixed hex as written and refuses the rest', () => {
    expect(hexSchema.parse('0xAb12')).toBe('0xAb12')
    expect(hexSchema.safeParse('Ab12').success).toBe(false)
    expect(hexSchema.safeParse('0xg1').success).toBe(false)
  })
})
