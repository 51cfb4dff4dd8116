import type {
  AllergyIntolerance,
  Condition,
  DocumentReference,
  Immunization,
  MedicationStatement,
  Observation,
  Resource,
} from '@medplum/fhirtypes'
import { CLINICAL_NOTE, DOCUMENT_CATEGORY_SYSTEM } from '../fhir/categories.ts'
import { codeText } from '../fhir/display.ts'
import { decodeBase64Text } from '../fhir/describe.ts'

/**
 * The kinds of record a patient adds by hand, each a form over a FHIR R4 resource. A field
 * reads its value from the resource and writes it back; editing writes only the fields the
 * patient changed, so whatever else an imported record holds (codes, references) is kept.
 */
export type RecordKind = 'allergy' | 'medication' | 'condition' | 'immunization' | 'lab' | 'note'

export type FieldInput = 'text' | 'textarea' | 'date' | 'select'
export type FormField = {
  name: string
  label: string
  input: FieldInput
  required?: boolean
  hint?: string
  options?: readonly { value: string; label: string }[]
}
export type FormValues = Record<string, string>
export type FormErrors = Record<string, string>

export type RecordForm = {
  kind: RecordKind
  /** "Allergy", for headings and buttons. */
  label: string
  fields: readonly FormField[]
  /** True when this form can edit the resource. */
  matches(resource: Resource): boolean
  /** The form's values for a resource (empty strings where it has none). */
  values(resource?: Resource): FormValues
  /** A new resource from the values, or the edited original; or the problems with the values. */
  build(values: FormValues, original?: Resource): { ok: true; resource: Resource } | { ok: false; errors: FormErrors }
}

/** What hand-entered records say about who they are about and who recorded them. */
export const SELF_REFERENCE = { display: 'The patient' } as const
export const ENTERED_BY_PATIENT = { display: 'Entered by the patient' } as const

type Field<R> = FormField & { read(r: R): string | undefined; write(r: R, value: string): R }

function defineForm<R extends Resource>(spec: {
  kind: RecordKind
  label: string
  is(resource: Resource): resource is R
  create(): R
  fields: Field<R>[]
}): RecordForm {
  const valuesOf = (resource: R | undefined): FormValues =>
    Object.fromEntries(spec.fields.map((f) => [f.name, (resource && f.read(resource)) ?? '']))
  return {
    kind: spec.kind,
    label: spec.label,
    fields: spec.fields,
    matches: (resource) => spec.is(resource),
    values: (resource) => valuesOf(resource && spec.is(resource) ? resource : undefined),
    build(values, original) {
      const errors: FormErrors = {}
      for (const field of spec.fields) {
        const value = (values[field.name] ?? '').trim()
        if (field.required && value === '') errors[field.name] = `Enter the ${field.label.toLowerCase()}.`
        else if (field.input === 'date' && value !== '' && !isCalendarDate(value)) errors[field.name] = 'Enter a date as year-month-day, like 2024-03-12.'
        else if (field.options && value !== '' && !field.options.some((o) => o.value === value)) errors[field.name] = 'Choose one of the options.'
      }
      if (Object.keys(errors).length) return { ok: false, errors }
      const base = original && spec.is(original) ? original : undefined
      const before = valuesOf(base)
      let resource = base ?? spec.create()
      for (const field of spec.fields) {
        const value = (values[field.name] ?? '').trim()
        if (base && value === (before[field.name] ?? '').trim()) continue
        resource = field.write(resource, value)
      }
      return { ok: true, resource }
    },
  }
}

/** Removes a key when the value is empty, sets it otherwise. */
function set<R extends object, K extends keyof R>(resource: R, key: K, value: R[K] | undefined): R {
  const copy = { ...resource }
  if (value === undefined) delete copy[key]
  else copy[key] = value
  return copy
}

const concept = (value: string) => (value ? { text: value } : undefined)
const notes = (value: string) => (value ? [{ text: value }] : undefined)
const today = () => new Date().toISOString().slice(0, 10)
const dateOnly = (value: string | undefined) => value?.slice(0, 10)

function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const date = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value
}

const noteField = <R extends { note?: { text: string }[] }>(): Field<R> => ({
  name: 'note',
  label: 'Notes',
  input: 'textarea',
  read: (r) => r.note?.map((n) => n.text).join('\n\n'),
  write: (r, v) => set(r, 'note', notes(v)),
})

const allergyForm = defineForm<AllergyIntolerance>({
  kind: 'allergy',
  label: 'Allergy',
  is: (r): r is AllergyIntolerance => r.resourceType === 'AllergyIntolerance',
  create: () => ({
    resourceType: 'AllergyIntolerance',
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active', display: 'Active' }] },
    patient: { ...SELF_REFERENCE },
    asserter: { ...ENTERED_BY_PATIENT },
    recordedDate: today(),
  }),
  fields: [
    { name: 'substance', label: 'Substance', input: 'text', required: true, hint: 'What you are allergic to, such as peanuts or penicillin.', read: (r) => codeText(r.code), write: (r, v) => set(r, 'code', concept(v)) },
    {
      name: 'reaction',
      label: 'Reaction',
      input: 'text',
      hint: 'What happens, such as hives or swelling.',
      read: (r) => r.reaction?.[0]?.manifestation.map(codeText).filter(Boolean).join(', '),
      write: (r, v) => {
        const severity = r.reaction?.[0]?.severity
        return set(r, 'reaction', v ? [{ manifestation: [{ text: v }], ...(severity ? { severity } : {}) }] : undefined)
      },
    },
    {
      name: 'severity',
      label: 'Severity of the reaction',
      input: 'select',
      options: [
        { value: 'mild', label: 'Mild' },
        { value: 'moderate', label: 'Moderate' },
        { value: 'severe', label: 'Severe' },
      ],
      read: (r) => r.reaction?.[0]?.severity,
      write: (r, v) => {
        const first = r.reaction?.[0] ?? { manifestation: [] }
        const severity = v === 'mild' || v === 'moderate' || v === 'severe' ? v : undefined
        const { severity: _old, ...rest } = first
        return set(r, 'reaction', [{ ...rest, ...(severity ? { severity } : {}) }, ...(r.reaction?.slice(1) ?? [])])
      },
    },
    {
      name: 'criticality',
      label: 'Risk',
      input: 'select',
      options: [
        { value: 'low', label: 'Low risk' },
        { value: 'high', label: 'High risk (could be life-threatening)' },
        { value: 'unable-to-assess', label: 'Not known' },
      ],
      read: (r) => r.criticality,
      write: (r, v) => set(r, 'criticality', v === 'low' || v === 'high' || v === 'unable-to-assess' ? v : undefined),
    },
    { name: 'onset', label: 'Since', input: 'date', read: (r) => dateOnly(r.onsetDateTime), write: (r, v) => set(r, 'onsetDateTime', v || undefined) },
    noteField<AllergyIntolerance>(),
  ],
})

const MEDICATION_STATUSES = ['active', 'completed', 'stopped', 'on-hold'] as const
const medicationForm = defineForm<MedicationStatement>({
  kind: 'medication',
  label: 'Medication',
  is: (r): r is MedicationStatement => r.resourceType === 'MedicationStatement',
  create: () => ({ resourceType: 'MedicationStatement', status: 'active', subject: { ...SELF_REFERENCE }, informationSource: { ...ENTERED_BY_PATIENT }, dateAsserted: today() }),
  fields: [
    { name: 'name', label: 'Medicine', input: 'text', required: true, hint: 'Its name and strength, such as Metformin 500 mg.', read: (r) => codeText(r.medicationCodeableConcept) ?? r.medicationReference?.display, write: (r, v) => set(set(r, 'medicationReference', undefined), 'medicationCodeableConcept', concept(v)) },
    { name: 'dosage', label: 'How you take it', input: 'text', hint: 'Such as one tablet twice a day.', read: (r) => r.dosage?.[0]?.text, write: (r, v) => set(r, 'dosage', v ? [{ text: v }] : undefined) },
    {
      name: 'status',
      label: 'Status',
      input: 'select',
      required: true,
      options: [
        { value: 'active', label: 'Taking it now' },
        { value: 'completed', label: 'Finished the course' },
        { value: 'stopped', label: 'Stopped' },
        { value: 'on-hold', label: 'Paused' },
      ],
      read: (r) => r.status,
      write: (r, v) => ({ ...r, status: MEDICATION_STATUSES.find((s) => s === v) ?? 'active' }),
    },
    { name: 'start', label: 'Started', input: 'date', read: (r) => dateOnly(r.effectivePeriod?.start ?? r.effectiveDateTime), write: (r, v) => set(set(r, 'effectiveDateTime', undefined), 'effectivePeriod', v || r.effectivePeriod?.end ? { ...r.effectivePeriod, start: v || undefined } : undefined) },
    { name: 'end', label: 'Stopped on', input: 'date', read: (r) => dateOnly(r.effectivePeriod?.end), write: (r, v) => set(r, 'effectivePeriod', v || r.effectivePeriod?.start ? { ...r.effectivePeriod, end: v || undefined } : undefined) },
    { name: 'reason', label: 'What it is for', input: 'text', read: (r) => codeText(r.reasonCode?.[0]), write: (r, v) => set(r, 'reasonCode', v ? [{ text: v }] : undefined) },
    noteField<MedicationStatement>(),
  ],
})

const CONDITION_STATUSES = [
  { value: 'active', label: 'Active' },
  { value: 'recurrence', label: 'Came back' },
  { value: 'remission', label: 'In remission' },
  { value: 'inactive', label: 'Inactive' },
  { value: 'resolved', label: 'Resolved' },
] as const
const conditionForm = defineForm<Condition>({
  kind: 'condition',
  label: 'Condition',
  is: (r): r is Condition => r.resourceType === 'Condition',
  create: () => ({ resourceType: 'Condition', subject: { ...SELF_REFERENCE }, asserter: { ...ENTERED_BY_PATIENT }, recordedDate: today() }),
  fields: [
    { name: 'name', label: 'Condition', input: 'text', required: true, hint: 'Such as asthma or type 2 diabetes.', read: (r) => codeText(r.code), write: (r, v) => set(r, 'code', concept(v)) },
    {
      name: 'status',
      label: 'Status',
      input: 'select',
      required: true,
      options: CONDITION_STATUSES,
      read: (r) => r.clinicalStatus?.coding?.find((c) => c.system === CONDITION_CLINICAL)?.code,
      write: (r, v) => {
        const label = CONDITION_STATUSES.find((s) => s.value === v)?.label
        return set(r, 'clinicalStatus', label ? { coding: [{ system: CONDITION_CLINICAL, code: v, display: label }] } : undefined)
      },
    },
    { name: 'onset', label: 'Since', input: 'date', read: (r) => dateOnly(r.onsetDateTime), write: (r, v) => set(r, 'onsetDateTime', v || undefined) },
    { name: 'resolved', label: 'Resolved on', input: 'date', read: (r) => dateOnly(r.abatementDateTime), write: (r, v) => set(r, 'abatementDateTime', v || undefined) },
    noteField<Condition>(),
  ],
})
const CONDITION_CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical'

const immunizationForm = defineForm<Immunization>({
  kind: 'immunization',
  label: 'Immunization',
  is: (r): r is Immunization => r.resourceType === 'Immunization',
  create: () => ({ resourceType: 'Immunization', status: 'completed', vaccineCode: { text: '' }, patient: { ...SELF_REFERENCE }, primarySource: false, occurrenceDateTime: today() }),
  fields: [
    { name: 'vaccine', label: 'Vaccine', input: 'text', required: true, hint: 'Such as influenza or tetanus.', read: (r) => codeText(r.vaccineCode), write: (r, v) => ({ ...r, vaccineCode: { text: v } }) },
    { name: 'date', label: 'Date given', input: 'date', required: true, read: (r) => dateOnly(r.occurrenceDateTime), write: (r, v) => set(set(r, 'occurrenceString', undefined), 'occurrenceDateTime', v) },
    {
      name: 'dose',
      label: 'Dose number',
      input: 'text',
      hint: 'Such as 1, or “booster”.',
      read: (r) => (r.protocolApplied?.[0]?.doseNumberPositiveInt !== undefined ? String(r.protocolApplied[0].doseNumberPositiveInt) : r.protocolApplied?.[0]?.doseNumberString),
      write: (r, v) =>
        set(r, 'protocolApplied', v ? [/^[1-9]\d*$/.test(v) ? { doseNumberPositiveInt: Number(v) } : { doseNumberString: v }] : undefined),
    },
    { name: 'lot', label: 'Lot number', input: 'text', read: (r) => r.lotNumber, write: (r, v) => set(r, 'lotNumber', v || undefined) },
    { name: 'givenBy', label: 'Given by', input: 'text', read: (r) => r.performer?.[0]?.actor.display, write: (r, v) => set(r, 'performer', v ? [{ actor: { display: v } }] : undefined) },
    noteField<Immunization>(),
  ],
})

const LAB_CATEGORY = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory', display: 'Laboratory' }] }
const labForm = defineForm<Observation>({
  kind: 'lab',
  label: 'Lab result',
  is: (r): r is Observation =>
    r.resourceType === 'Observation' && (r.category ?? []).some((c) => c.coding?.some((k) => k.code === 'laboratory')),
  create: () => ({ resourceType: 'Observation', status: 'final', category: [LAB_CATEGORY], code: { text: '' }, subject: { ...SELF_REFERENCE }, performer: [{ ...ENTERED_BY_PATIENT }] }),
  fields: [
    { name: 'test', label: 'Test', input: 'text', required: true, hint: 'Such as HbA1c or cholesterol.', read: (r) => codeText(r.code), write: (r, v) => ({ ...r, code: { text: v } }) },
    {
      name: 'value',
      label: 'Result',
      input: 'text',
      required: true,
      hint: 'A number (such as 5.6) or words (such as negative).',
      read: (r) => (r.valueQuantity?.value !== undefined ? String(r.valueQuantity.value) : r.valueString),
      write: (r, v) => {
        const number = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : undefined
        const cleared = set(set(r, 'valueString', undefined), 'valueQuantity', undefined)
        return number === undefined ? set(cleared, 'valueString', v) : set(cleared, 'valueQuantity', { ...r.valueQuantity, value: number })
      },
    },
    {
      name: 'unit',
      label: 'Unit',
      input: 'text',
      hint: 'Such as %, mg/dL or mmol/L.',
      read: (r) => r.valueQuantity?.unit,
      write: (r, v) => (r.valueQuantity ? set(r, 'valueQuantity', { ...set(set(r.valueQuantity, 'code', undefined), 'system', undefined), unit: v || undefined }) : r),
    },
    { name: 'range', label: 'Normal range', input: 'text', hint: 'As the lab printed it, such as 4.0–5.6.', read: (r) => r.referenceRange?.[0]?.text, write: (r, v) => set(r, 'referenceRange', v ? [{ text: v }] : undefined) },
    { name: 'date', label: 'Date of the test', input: 'date', required: true, read: (r) => dateOnly(r.effectiveDateTime), write: (r, v) => set(r, 'effectiveDateTime', v) },
    noteField<Observation>(),
  ],
})

const NOTE_TYPE = { coding: [{ system: 'http://loinc.org', code: '51855-5', display: 'Patient Note' }] }
const noteForm = defineForm<DocumentReference>({
  kind: 'note',
  label: 'Note',
  is: (r): r is DocumentReference =>
    r.resourceType === 'DocumentReference' && (r.type?.coding ?? []).some((c) => c.code === '51855-5') && r.content.length === 1,
  create: () => ({
    resourceType: 'DocumentReference',
    status: 'current',
    type: NOTE_TYPE,
    category: [{ coding: [{ system: DOCUMENT_CATEGORY_SYSTEM, code: CLINICAL_NOTE, display: 'Clinical Note' }] }],
    subject: { ...SELF_REFERENCE },
    author: [{ ...ENTERED_BY_PATIENT }],
    content: [{ attachment: { contentType: 'text/plain; charset=utf-8', data: '' } }],
  }),
  fields: [
    { name: 'title', label: 'Title', input: 'text', required: true, read: (r) => r.description, write: (r, v) => ({ ...r, description: v }) },
    { name: 'date', label: 'Date', input: 'date', required: true, read: (r) => dateOnly(r.date), write: (r, v) => ({ ...r, date: v }) },
    {
      name: 'text',
      label: 'Note',
      input: 'textarea',
      required: true,
      read: (r) => decodeBase64Text(r.content[0]?.attachment.data ?? ''),
      write: (r, v) => ({ ...r, content: [{ attachment: { contentType: 'text/plain; charset=utf-8', data: toBase64(v) } }] }),
    },
  ],
})

/** The hand-entry forms, in the order the patient is offered them. */
export const RECORD_FORMS: readonly RecordForm[] = [allergyForm, medicationForm, conditionForm, immunizationForm, labForm, noteForm]

/**
 * The form for a kind, or the one that can edit a resource.
 *
 * @example
 * recordForm('allergy')?.build({ substance: 'Peanut', criticality: 'high' })
 */
export function recordForm(kindOrResource: RecordKind | Resource): RecordForm | undefined {
  return typeof kindOrResource === 'string'
    ? RECORD_FORMS.find((f) => f.kind === kindOrResource)
    : RECORD_FORMS.find((f) => f.matches(kindOrResource))
}

function toBase64(text: string): string {
  const bytes = new TextEncoder().encode(text)
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}
