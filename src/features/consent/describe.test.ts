import { describe, expect, it } from 'vitest'
import { encodePurpose } from '../../domain/consent/index.ts'
import { RECORD_CATEGORY_IDS } from '../../domain/fhir/categories.ts'
import { feeText, grantOrigin, granteeText, linkableLabel, listText, originText, purposeCodeText, purposeText, remainingText, scopeText, shortHex } from './describe.ts'

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

  it('calls every category "all your records"', () => {
    expect(scopeText({ categories: [...RECORD_CATEGORY_IDS], recordIds: [], actions: ['access'] })).toBe('All your records')
    expect(scopeText({ categories: RECORD_CATEGORY_IDS.slice(1), recordIds: [], actions: ['access'] })).not.toBe('All your records')
  })

  it('gives the purpose in plain words, and its code only where asked for', () => {
    expect(purposeText(encodePurpose('ETREAT'))).toBe('Emergency care')
    expect(purposeText(encodePurpose('PWATRNY'))).toBe('Power of attorney')
    expect(purposeCodeText(encodePurpose('PWATRNY'))).toBe('PWATRNY (power of attorney)')
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

describe('where a grant was made from and who paid', () => {
  const main = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
  const oneTime = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'

  it('labels a grant made before grants had keys (from the main address) as one that can be linked', () => {
    const origin = grantOrigin({ grantKeyIndex: undefined, patient: main.toLowerCase() as `0x${string}` }, main)
    expect(origin).toBe('main-address')
    expect(linkableLabel(origin)).toBe('Made from your main address (can be linked)')
    expect(originText(origin)).toContain('anyone can list the consents made from that address')
  })

  it('gives no warning for a grant made by its own key, even one whose address is the main address', () => {
    const origin = grantOrigin({ grantKeyIndex: 0, patient: oneTime }, main)
    expect(origin).toBe('one-time-address')
    expect(linkableLabel(origin)).toBeUndefined()
    expect(originText(origin)).toContain('one-time address used for this consent alone')
    expect(grantOrigin({ grantKeyIndex: 4, patient: main }, main)).toBe('one-time-address')
  })

  it('names a browser wallet’s direct grant as linkable too', () => {
    expect(linkableLabel(grantOrigin({ grantKeyIndex: undefined, patient: oneTime }, main))).toBe('Made from your browser wallet’s address (can be linked)')
    expect(grantOrigin({ grantKeyIndex: undefined, patient: main }, undefined)).toBe('other-account')
  })

  it('says who paid the fee: the sponsor for nothing, or the patient’s account, which links it', () => {
    expect(feeText({ grantKeyIndex: 2, sentBy: 'sponsor' })).toBe('CareKey’s sponsor paid the network fee: it cost you nothing.')
    expect(feeText({ grantKeyIndex: 2, sentBy: 'account' })).toBe(
      'The network fee was paid from your account, and anyone can see that: it links this consent to your account.',
    )
    expect(feeText({ grantKeyIndex: undefined, sentBy: undefined })).toBe('The network fee was paid from the account that made it.')
  })
})
