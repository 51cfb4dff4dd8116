import { describe, expect, it } from 'vitest'
import { stringToHex } from 'viem'
import { UnknownPurposeError } from './errors.ts'
import { COMMON_PURPOSES, decodePurpose, encodePurpose, purposeChoices, PURPOSES_OF_USE, purposeOfUse } from './purpose.ts'

describe('purposes of use', () => {
  it('offers the HL7 codes the consent screen needs, each with plain words', () => {
    const codes = PURPOSES_OF_USE.map((p) => p.code)
    expect(codes).toEqual(expect.arrayContaining(['TREAT', 'ETREAT', 'COC', 'HRESCH', 'PATRQT']))
    expect(new Set(codes).size).toBe(codes.length)
    for (const p of PURPOSES_OF_USE) {
      expect(p.label.length).toBeGreaterThan(3)
      expect(p.description).toMatch(/\.$/)
      // Every code fits the contract's bytes32 field as ASCII.
      expect(p.code).toMatch(/^[A-Z]{2,32}$/)
    }
  })

  it('encodes a code as ASCII left-aligned in 32 bytes, as Solidity bytes32("TREAT") does', () => {
    expect(encodePurpose('TREAT')).toBe('0x5452454154000000000000000000000000000000000000000000000000000000')
  })

  it('decodes every offered code back to itself', () => {
    for (const { code } of PURPOSES_OF_USE) expect(decodePurpose(encodePurpose(code))).toBe(code)
    expect(decodePurpose(encodePurpose('HRESCH').toUpperCase().replace('0X', '0x') as `0x${string}`)).toBe('HRESCH')
  })

  it('refuses a code it does not offer, in words and in bytes', () => {
    expect(() => purposeOfUse('MARKETING')).toThrow(UnknownPurposeError)
    expect(() => decodePurpose(stringToHex('MARKETING', { size: 32 }))).toThrow(UnknownPurposeError)
    expect(() => decodePurpose(stringToHex('treat', { size: 32 }))).toThrow(UnknownPurposeError)
    // A known code followed by more bytes is not that code.
    expect(() => decodePurpose(stringToHex('TREAT\u0000X', { size: 32 }))).toThrow(UnknownPurposeError)
    expect(() => decodePurpose('0x5452454154')).toThrow(UnknownPurposeError)
  })

  it('names the unknown code in the message people see', () => {
    expect(() => purposeOfUse('MARKETING')).toThrow(/"MARKETING" is not a purpose/)
  })

  it('offers treatment, emergency care, coordinating care and a carer first, and every other purpose once behind them', () => {
    const { common, more } = purposeChoices()
    expect(common.map((p) => p.code)).toEqual(['TREAT', 'ETREAT', 'COC', 'SUPNWK'])
    expect(common.map((p) => p.label)).toEqual(['Treatment', 'Emergency care', 'Coordinating my care', 'Someone who cares for me'])
    expect(more.map((p) => p.code)).toEqual(['CAREMGT', 'PATRQT', 'FAMRQT', 'PWATRNY', 'HPAYMT', 'HRESCH', 'CLINTRCH', 'PUBHLTH'])
    expect([...common, ...more].map((p) => p.code).sort()).toEqual(PURPOSES_OF_USE.map((p) => p.code).sort())
  })

  it('keeps the plain words free of the codes, which stay what a grant records', () => {
    for (const p of PURPOSES_OF_USE) {
      expect(p.label).not.toContain(p.code)
      expect(p.description).not.toContain(p.code)
    }
    for (const code of COMMON_PURPOSES) expect(decodePurpose(encodePurpose(code))).toBe(code)
  })
})
