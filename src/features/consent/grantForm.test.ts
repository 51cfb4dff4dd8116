import { describe, expect, it } from 'vitest'
import { DEFAULT_SHARE_LABEL, EMPTY_GRANT_FORM, GrantFormError, parseRecipientAddress, readGrantForm, validUntilOf, type GrantForm } from './grantForm.ts'

const patient = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
const clinician = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const now = new Date('2026-11-26T10:00:00Z')
const filled: GrantForm = { ...EMPTY_GRANT_FORM, categories: ['allergies', 'medications'], address: clinician }

function fieldErrors(form: GrantForm) {
  try {
    readGrantForm(form, { patient, now })
  } catch (error) {
    if (error instanceof GrantFormError) return error.fields
    throw error
  }
  return {}
}

describe('reading the grant form', () => {
  it('turns Allergies + Medications for a clinician, for treatment, 24 hours into grant choices', () => {
    const choices = readGrantForm(filled, { patient, now })
    expect(choices).toEqual({
      patient,
      grantee: { kind: 'address', address: clinician },
      granteeName: undefined,
      scope: { categories: ['allergies', 'medications'], recordIds: [], actions: ['access'] },
      purpose: 'TREAT',
      validUntil: new Date('2026-11-27T10:00:00Z'),
      share: undefined,
    })
  })

  it('always makes a share for "whoever I show this QR to", with the default label', () => {
    const choices = readGrantForm({ ...filled, granteeMode: 'bearer', share: false, label: ' ' }, { patient, now })
    expect(choices.grantee).toEqual({ kind: 'bearer' })
    expect(choices.share).toEqual({ passcode: undefined, label: DEFAULT_SHARE_LABEL })
  })

  it('keeps only the chosen mode of scope', () => {
    const choices = readGrantForm({ ...filled, scopeMode: 'records', recordIds: ['r-1'] }, { patient, now })
    expect(choices.scope).toEqual({ categories: [], recordIds: ['r-1'], actions: ['access'] })
  })

  it('says what is wrong with every field at once', () => {
    expect(fieldErrors({ ...EMPTY_GRANT_FORM, address: '0x1234', duration: 'custom', customEnd: '', share: true, passcode: '12', label: 'x'.repeat(81) })).toEqual({
      scope: 'Choose at least one category to share.',
      address: "The recipient's address is not a valid account address.",
      customEnd: 'Choose the date and time the consent ends.',
      passcode: 'A passcode needs at least 4 characters.',
      label: 'Use at most 80 characters.',
    })
  })

  it('asks for an address when none was given, and refuses the patient’s own', () => {
    expect(fieldErrors({ ...filled, address: '  ' }).address).toBe('Enter, paste or scan their address.')
    expect(fieldErrors({ ...filled, address: patient.toLowerCase() }).address).toMatch(/your own address/)
  })

  it('catches a typo in a checksummed address', () => {
    expect(fieldErrors({ ...filled, address: clinician.replace('C51', 'c51') }).address).toMatch(/typo/)
  })

  it('refuses a custom end in the past, too soon or too far away', () => {
    expect(fieldErrors({ ...filled, duration: 'custom', customEnd: '2026-11-26T09:00' }).customEnd).toBeDefined()
    expect(fieldErrors({ ...filled, duration: 'custom', customEnd: localValue(new Date(now.getTime() + 2 * 60_000)) }).customEnd).toMatch(/at least 5 minutes/)
    expect(fieldErrors({ ...filled, duration: 'custom', customEnd: '2028-01-01T00:00' }).customEnd).toMatch(/at most 365 days/)
    expect(fieldErrors({ ...filled, duration: 'custom', customEnd: localValue(new Date(now.getTime() + 6 * 60_000)) })).toEqual({})
  })
})

describe('the end of validity', () => {
  it('adds the chosen duration to now', () => {
    expect(validUntilOf({ duration: '1h', customEnd: '' }, now)).toEqual(new Date('2026-11-26T11:00:00Z'))
    expect(validUntilOf({ duration: '30d', customEnd: '' }, now)).toEqual(new Date('2026-12-26T10:00:00Z'))
  })

  it('reads a custom end as local time, and nothing from a malformed one', () => {
    expect(validUntilOf({ duration: 'custom', customEnd: '2026-12-01T08:30' }, now)).toEqual(new Date(2026, 11, 1, 8, 30))
    expect(validUntilOf({ duration: 'custom', customEnd: 'next tuesday' }, now)).toBeUndefined()
  })
})

describe('a recipient address from a scan or a paste', () => {
  it('accepts a bare address and EIP-681 forms', () => {
    expect(parseRecipientAddress(` ${clinician.toLowerCase()} `)).toBe(clinician)
    expect(parseRecipientAddress(`ethereum:${clinician}`)).toBe(clinician)
    expect(parseRecipientAddress(`ethereum:pay-${clinician}@31337`)).toBe(clinician)
    expect(parseRecipientAddress(`ETHEREUM:${clinician}?value=0`)).toBe(clinician)
  })

  it('refuses anything else', () => {
    expect(() => parseRecipientAddress('https://example.org')).toThrow('not a valid account address')
    expect(() => parseRecipientAddress('ethereum:0x0000000000000000000000000000000000000000')).toThrow('empty address')
  })
})

function localValue(date: Date) {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`
}
