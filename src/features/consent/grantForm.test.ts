import type { Address } from 'viem'
import { describe, expect, it } from 'vitest'
import { RECORD_CATEGORY_IDS } from '../../domain/fhir/categories.ts'
import {
  DEFAULT_SHARE_LABEL,
  EMPTY_GRANT_FORM,
  firstStepWith,
  GRANT_STEPS,
  GrantFormError,
  grantStepErrors,
  grantStepPlace,
  nextGrantStep,
  parseRecipientAddress,
  readGrantForm,
  validUntilOf,
  type GrantForm,
} from './grantForm.ts'

const patient: Address = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
const clinician = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const now = new Date('2026-11-26T10:00:00Z')
const filled: GrantForm = { ...EMPTY_GRANT_FORM, scopeMode: 'categories', categories: ['allergies', 'medications'], granteeMode: 'address', address: clinician }

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

  it('shares who the records are about with a part of them, unless the patient unticks it', () => {
    const aboutYouIds = ['patient-1']
    const withPart = (form: GrantForm) => readGrantForm(form, { patient, now, aboutYouIds }).scope
    expect(withPart(filled)).toEqual({ categories: ['allergies', 'medications'], recordIds: ['patient-1'], actions: ['access'] })
    expect(withPart({ ...filled, scopeMode: 'records', recordIds: ['r-1', 'patient-1'] }).recordIds).toEqual(['r-1', 'patient-1'])
    expect(withPart({ ...filled, aboutYou: false }).recordIds).toEqual([])
    // Already shared whole: every record of every category, or the category the Patient record is in.
    expect(withPart({ ...filled, scopeMode: 'all' }).recordIds).toEqual([])
    expect(withPart({ ...filled, categories: ['allergies', 'other'] }).recordIds).toEqual([])
    // It is not a choice on its own: a part must still be chosen.
    expect(() => readGrantForm({ ...filled, categories: [] }, { patient, now, aboutYouIds })).toThrow(GrantFormError)
  })

  it('says what is wrong with every field at once', () => {
    expect(
      fieldErrors({
        ...EMPTY_GRANT_FORM,
        scopeMode: 'categories',
        granteeMode: 'address',
        address: '0x1234',
        duration: 'custom',
        customEnd: '',
        share: true,
        passcode: '12',
        label: 'x'.repeat(81),
      }),
    ).toEqual({
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

describe('the form as it opens', () => {
  it('is the common case, ready to review: all my records, for whoever I show the QR code to, for treatment, 24 hours', () => {
    const choices = readGrantForm(EMPTY_GRANT_FORM, { patient, now })
    expect(choices).toEqual({
      patient,
      grantee: { kind: 'bearer' },
      granteeName: undefined,
      scope: { categories: [...RECORD_CATEGORY_IDS], recordIds: [], actions: ['access'] },
      purpose: 'TREAT',
      validUntil: new Date('2026-11-27T10:00:00Z'),
      share: { passcode: undefined, label: DEFAULT_SHARE_LABEL },
    })
  })
})

describe('the steps of the grant screen', () => {
  it('go what, who, why, how long, review, each numbered out of five', () => {
    expect(GRANT_STEPS.map((s) => s.id)).toEqual(['what', 'who', 'why', 'how-long', 'review'])
    expect(grantStepPlace('what')).toEqual({ number: 1, of: 5, title: 'What to share', text: 'Step 1 of 5' })
    expect(grantStepPlace('who').text).toBe('Step 2 of 5')
    expect(grantStepPlace('review')).toMatchObject({ number: 5, title: 'Review your consent' })
  })

  it('go forward with Next and back with Back, and no further than either end', () => {
    expect(nextGrantStep('what', 1)).toBe('who')
    expect(nextGrantStep('how-long', 1)).toBe('review')
    expect(nextGrantStep('review', 1)).toBeUndefined()
    expect(nextGrantStep('why', -1)).toBe('who')
    expect(nextGrantStep('what', -1)).toBeUndefined()
  })

  it('each check only their own answers before Next', () => {
    const context = { patient, now }
    const unfinished: GrantForm = { ...EMPTY_GRANT_FORM, scopeMode: 'categories', granteeMode: 'address', address: '', duration: 'custom', customEnd: '' }
    expect(grantStepErrors(unfinished, 'what', context)).toEqual({ scope: 'Choose at least one category to share.' })
    expect(grantStepErrors(unfinished, 'who', context)).toEqual({ address: 'Enter, paste or scan their address.' })
    expect(grantStepErrors(unfinished, 'why', context)).toEqual({})
    expect(grantStepErrors(unfinished, 'how-long', context)).toEqual({ customEnd: 'Choose the date and time the consent ends.' })
    expect(grantStepErrors({ ...unfinished, scopeMode: 'records', recordIds: [] }, 'what', context)).toEqual({ scope: 'Choose at least one record to share.' })
    expect(grantStepErrors({ ...unfinished, granteeMode: 'bearer', passcode: '12' }, 'who', context)).toEqual({ passcode: 'A passcode needs at least 4 characters.' })
    for (const step of GRANT_STEPS) expect(grantStepErrors(EMPTY_GRANT_FORM, step.id, context)).toEqual({})
  })

  it('send the patient back to the first step whose answer no longer holds', () => {
    expect(firstStepWith({ customEnd: 'x' })).toBe('how-long')
    expect(firstStepWith({ customEnd: 'x', address: 'y' })).toBe('who')
    expect(firstStepWith({ scope: 'x', label: 'y' })).toBe('what')
    expect(firstStepWith({})).toBeUndefined()
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
