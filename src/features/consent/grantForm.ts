import type { Address } from 'viem'
import {
  checkNewGrantPeriod,
  GRANT_DURATIONS,
  isPurposeOfUse,
  parseAddress,
  toUnixSeconds,
  type ConsentScope,
  type PurposeOfUse,
} from '../../domain/consent/index.ts'
import { CareKeyError } from '../../domain/errors.ts'
import { RECORD_CATEGORY_IDS, type RecordCategory } from '../../domain/fhir/categories.ts'
import { MAX_LABEL_LENGTH, MIN_PASSCODE_LENGTH } from '../../domain/shl/index.ts'

/** The default label of a consent QR: nothing about health beyond what the patient types. */
export const DEFAULT_SHARE_LABEL = 'CareKey shared records'

/** The longest name the patient may give a recipient, for their own list. */
export const MAX_GRANTEE_NAME_LENGTH = 80

export type DurationChoice = (typeof GRANT_DURATIONS)[number]['id'] | 'custom'

/** What the grant screen holds while the patient fills it in (strings as typed). */
export type GrantForm = {
  /** Every category ('all', the default), the categories chosen, or hand-picked records. */
  scopeMode: 'all' | 'categories' | 'records'
  categories: RecordCategory[]
  recordIds: string[]
  /**
   * With some categories or picked records, also share who the records are about (the wallet's
   * Patient records: name, date of birth), so the recipient knows whose they are. On by default.
   */
  aboutYou: boolean
  granteeMode: 'address' | 'bearer'
  address: string
  granteeName: string
  purpose: PurposeOfUse
  duration: DurationChoice
  /** A `datetime-local` value (local time, 'YYYY-MM-DDTHH:mm') for a custom end. */
  customEnd: string
  /** Also make a consent QR (always, for a bearer grant). */
  share: boolean
  passcode: string
  label: string
}

/**
 * The form as it opens, set for the common case: all my records, for the clinician I show the
 * QR code to, for treatment, for 24 hours. Each step only needs Next.
 */
export const EMPTY_GRANT_FORM: GrantForm = {
  scopeMode: 'all',
  categories: [],
  recordIds: [],
  aboutYou: true,
  granteeMode: 'bearer',
  address: '',
  granteeName: '',
  purpose: 'TREAT',
  duration: '24h',
  customEnd: '',
  share: false,
  passcode: '',
  label: DEFAULT_SHARE_LABEL,
}

/** The form, checked: what a grant (and its share) is made from. */
export type GrantChoices = {
  patient: Address
  /** The bearer secret is made with the grant, not here. */
  grantee: { kind: 'address'; address: Address } | { kind: 'bearer' }
  granteeName: string | undefined
  scope: ConsentScope
  purpose: PurposeOfUse
  validUntil: Date
  share: { passcode: string | undefined; label: string } | undefined
}

export type GrantFormField = 'scope' | 'address' | 'granteeName' | 'customEnd' | 'passcode' | 'label'

/**
 * The grant screen's steps, in order, each with its heading and the fields it asks for: what,
 * who (and the consent QR code), why, how long, then the review before signing.
 */
export const GRANT_STEPS = [
  { id: 'what', title: 'What to share', fields: ['scope'] },
  { id: 'who', title: 'Who may see it', fields: ['address', 'granteeName', 'passcode', 'label'] },
  { id: 'why', title: 'Why', fields: [] },
  { id: 'how-long', title: 'For how long', fields: ['customEnd'] },
  { id: 'review', title: 'Review your consent', fields: [] },
] as const satisfies readonly { id: string; title: string; fields: readonly GrantFormField[] }[]

export type GrantStep = (typeof GRANT_STEPS)[number]['id']

/** The steps' ids in order, as the address names them (`/consent/new?step=who`). */
export const GRANT_STEP_IDS = GRANT_STEPS.map((s) => s.id) as [GrantStep, ...GrantStep[]]

/**
 * Where a step is: its number from 1, how many there are, its heading; 'Step 2 of 5'.
 *
 * @example
 * grantStepPlace('who') // { number: 2, of: 5, title: 'Who may see it', text: 'Step 2 of 5' }
 */
export function grantStepPlace(step: GrantStep): { number: number; of: number; title: string; text: string } {
  const index = GRANT_STEPS.findIndex((s) => s.id === step)
  const number = index + 1
  return { number, of: GRANT_STEPS.length, title: GRANT_STEPS[index]?.title ?? '', text: `Step ${number} of ${GRANT_STEPS.length}` }
}

/**
 * The step after (Next) or before (Back) this one; undefined past either end.
 *
 * @example
 * nextGrantStep('what', 1) // 'who'
 * nextGrantStep('what', -1) // undefined
 */
export function nextGrantStep(step: GrantStep, direction: 1 | -1): GrantStep | undefined {
  return GRANT_STEPS[GRANT_STEPS.findIndex((s) => s.id === step) + direction]?.id
}

/**
 * What the patient must change on one step before Next: the form's problems in that step's
 * fields only (an empty address is not the "What" step's business). Empty when it may go on.
 *
 * @example
 * grantStepErrors({ ...EMPTY_GRANT_FORM, scopeMode: 'categories' }, 'what', { patient, now }) // { scope: 'Choose at least one category to share.' }
 */
export function grantStepErrors(form: GrantForm, step: GrantStep, context: GrantFormContext): Partial<Record<GrantFormField, string>> {
  const { fields } = checkGrantForm(form, context)
  const asked: readonly GrantFormField[] = GRANT_STEPS.find((s) => s.id === step)?.fields ?? []
  return Object.fromEntries(Object.entries(fields).filter(([field]) => asked.includes(field as GrantFormField)))
}

/**
 * The first step that asks for one of these fields: where to send the patient back to when the
 * whole form is checked at the end (a custom end that has become too soon meanwhile).
 *
 * @example
 * firstStepWith({ customEnd: 'Choose the date and time the consent ends.' }) // 'how-long'
 */
export function firstStepWith(fields: Partial<Record<GrantFormField, string>>): GrantStep | undefined {
  return GRANT_STEPS.find((s) => (s.fields as readonly GrantFormField[]).some((f) => fields[f] !== undefined))?.id
}

/** A form that cannot become a grant yet: a message per field, in words for the patient. */
export class GrantFormError extends CareKeyError {
  constructor(readonly fields: Partial<Record<GrantFormField, string>>) {
    super('Some answers need a change before the consent can be reviewed.', Object.values(fields).join(' '))
  }
}

/** A record that says who the patient is (their Patient resource), offered apart from the records themselves. */
export const isAboutYou = (summary: { resourceType: string }) => summary.resourceType === 'Patient'

/** True when the form makes a consent QR: always for "whoever I show this QR to". */
export const makesShare = (form: Pick<GrantForm, 'granteeMode' | 'share'>) => form.granteeMode === 'bearer' || form.share

/**
 * The end of validity the form asks for: now plus the chosen duration, or the custom end.
 * Undefined when the custom end is empty or not a date.
 *
 * @example
 * validUntilOf({ ...form, duration: '24h' }, now) // now + 24 hours
 */
export function validUntilOf(form: Pick<GrantForm, 'duration' | 'customEnd'>, now: Date): Date | undefined {
  if (form.duration === 'custom') {
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(form.customEnd)) return undefined
    // A datetime-local value has no zone: it is the patient's local time, as Date reads it.
    const end = new Date(form.customEnd)
    return Number.isNaN(end.getTime()) ? undefined : end
  }
  const duration = GRANT_DURATIONS.find((d) => d.id === form.duration)
  return duration && new Date(now.getTime() + duration.seconds * 1000)
}

/**
 * Checks the whole form and turns it into the choices a grant is made from. Throws
 * GrantFormError with a message for every field that needs a change.
 *
 * @example
 * const choices = readGrantForm({ ...EMPTY_GRANT_FORM, categories: ['allergies'], address: clinician }, { patient, now: new Date() })
 */
export function readGrantForm(form: GrantForm, context: GrantFormContext): GrantChoices {
  const { fields, choices } = checkGrantForm(form, context)
  if (!choices) throw new GrantFormError(fields)
  return choices
}

/**
 * What the form is checked against: the signing address, the time, and the ids of the records
 * that say who the patient is (their Patient records), shared with a part of the records when
 * `aboutYou` is on.
 */
export type GrantFormContext = { patient: Address; now: Date; aboutYouIds?: readonly string[] }

/** Every field's problem, and the choices when there is none. */
function checkGrantForm(form: GrantForm, context: GrantFormContext): { fields: Partial<Record<GrantFormField, string>>; choices: GrantChoices | undefined } {
  const fields: Partial<Record<GrantFormField, string>> = {}

  const categories = form.scopeMode === 'all' ? [...RECORD_CATEGORY_IDS] : form.scopeMode === 'categories' ? form.categories : []
  const picked = form.scopeMode === 'records' ? form.recordIds : []
  if (categories.length === 0 && picked.length === 0) {
    fields.scope = form.scopeMode === 'categories' ? 'Choose at least one category to share.' : 'Choose at least one record to share.'
  }
  // Who the records are about goes with a part of them, unless its category is shared whole.
  const aboutYou = form.aboutYou && !categories.includes('other') ? (context.aboutYouIds ?? []) : []
  const recordIds = [...new Set([...picked, ...aboutYou])]

  let grantee: GrantChoices['grantee'] = { kind: 'bearer' }
  if (form.granteeMode === 'address') {
    try {
      grantee = { kind: 'address', address: parseRecipientAddress(form.address) }
      if (grantee.address === context.patient) fields.address = 'That is your own address. Enter the address of the person you are sharing with.'
    } catch (error) {
      if (!(error instanceof CareKeyError)) throw error
      fields.address = form.address.trim() === '' ? 'Enter, paste or scan their address.' : error.userMessage
    }
  }

  const granteeName = form.granteeName.trim()
  if ([...granteeName].length > MAX_GRANTEE_NAME_LENGTH) fields.granteeName = `Use at most ${MAX_GRANTEE_NAME_LENGTH} characters.`

  const validUntil = validUntilOf(form, context.now)
  if (!validUntil) {
    fields.customEnd = 'Choose the date and time the consent ends.'
  } else {
    try {
      const now = toUnixSeconds(context.now)
      checkNewGrantPeriod(now, toUnixSeconds(validUntil), now)
    } catch (error) {
      if (!(error instanceof CareKeyError)) throw error
      fields.customEnd = `${error.userMessage} ${error.hint ?? ''}`.trim()
    }
  }

  let share: GrantChoices['share']
  if (makesShare(form)) {
    const passcode = form.passcode.trim()
    if (passcode !== '' && passcode.length < MIN_PASSCODE_LENGTH) fields.passcode = `A passcode needs at least ${MIN_PASSCODE_LENGTH} characters.`
    if (passcode.length > 200) fields.passcode = 'Use a shorter passcode.'
    const label = form.label.trim() === '' ? DEFAULT_SHARE_LABEL : form.label.trim()
    if ([...label].length > MAX_LABEL_LENGTH) fields.label = `Use at most ${MAX_LABEL_LENGTH} characters.`
    share = { passcode: passcode === '' ? undefined : passcode, label }
  }

  if (!isPurposeOfUse(form.purpose)) throw new Error(`Unknown purpose ${String(form.purpose)}`)
  if (Object.keys(fields).length > 0 || !validUntil) return { fields, choices: undefined }
  return {
    fields,
    choices: {
      patient: context.patient,
      grantee,
      granteeName: granteeName === '' ? undefined : granteeName,
      scope: { categories, recordIds, actions: ['access'] },
      purpose: form.purpose,
      validUntil,
      share,
    },
  }
}

/**
 * Reads a recipient's address as typed, pasted or scanned from their address QR: a bare
 * address, or an EIP-681 `ethereum:` URI (`ethereum:0x…`, `ethereum:pay-0x…@1`). Throws
 * InvalidAddressError saying what is wrong.
 *
 * @example
 * parseRecipientAddress('ethereum:pay-0x70997970c51812dc3a010c7d01b50e0d17dc79c8@31337') // '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
 */
export function parseRecipientAddress(text: string): Address {
  return parseAddress(text.trim().replace(/^ethereum:pay-/i, 'ethereum:'), 'grantee')
}
