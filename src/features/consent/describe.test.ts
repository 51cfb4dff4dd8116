import { describe, expect, it } from 'vitest'
import { encodePurpose } from '../../domain/consent/index.ts'
import { granteeText, listText, purposeText, remainingText, scopeText, shortHex } from './describe.ts'

const clinician = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'

describe('words for a grant', () => {
  it('names the recipient by the name the patient gave, with a short address', () => {
    expect(granteeText({ kind: 'address', address: clinician }, 'Dr. Lee')).toBe('Dr. Lee (0x709979…79C8)')
    expect(granteeText({ kind: 'address', address: clinician }, undefined)).toBe(clinician)
    expect(granteeText({ kind: 'bearer', secret: `0x${'11'.repeat(32)}` }, undefined)).toBe('Whoever you show the QR code to')
  })

  it('lists categories and counts hand-picked records', () => {
    expect(scopeText({ categories: ['allergies', 'medications'], recordIds: [], actions: ['access'] })).toBe('Allergies and Medications')
    expect(scopeText({ categories: ['labs'], recordIds: ['a', 'b'], actions: ['access'] })).toBe('Lab results and 2 chosen records')
    expect(listText(['A', 'B', 'C'])).toBe('A, B and C')
  })

  it('gives the purpose in plain words with its code', () => {
    expect(purposeText(encodePurpose('ETREAT'))).toBe('Emergency care (ETREAT)')
  })

  it('says roughly how long is left', () => {
    const now = new Date('2026-11-26T10:00:00Z')
    const at = (ms: number) => BigInt(Math.floor((now.getTime() + ms) / 1000))
    expect(remainingText(at(30 * 60_000), now)).toBe('in 30 minutes')
    expect(remainingText(at(24 * 3_600_000), now)).toBe('in 24 hours')
    expect(remainingText(at(7 * 86_400_000), now)).toBe('in 7 days')
    expect(remainingText(at(-1000), now)).toBe('ended')
  })

  it('shortens long hex in the middle', () => {
    expect(shortHex(`0x${'ab'.repeat(32)}`)).toBe('0xababab…abab')
  })
})
