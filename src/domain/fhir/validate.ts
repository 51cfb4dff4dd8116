import type { Resource } from '@medplum/fhirtypes'
import { z } from 'zod'
import { isR4ResourceType } from './resourceTypes.ts'

/**
 * Checks, at the boundary, the parts of a FHIR R4 resource that CareKey reads: required
 * elements and the shape of the data types behind titles, values, dates and people. Elements
 * CareKey does not read are kept as they are (they show in the raw JSON and travel in shares)
 * and are not checked here. Everything CareKey reads after this point can be trusted.
 */

/** FHIR date, dateTime or instant: a year, a month, a day, or a day and time (zone optional). */
export const FHIR_DATE_TIME = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d(:([0-5]\d|60)(\.\d{1,9})?)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))?)?)?)?$/
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/
// Whitespace after the padding only: with `\s*` after `={0,2}` as well as in the class, a long
// run of spaces would be split every possible way before failing (quadratic backtracking).
const BASE64 = /^[A-Za-z0-9+/\s]*(?:==?\s*)?$/
/**
 * How deep lists and objects may nest in one resource. Real records stay far below (nested
 * questionnaire items and extensions reach a few dozen); what is deeper cannot be written back
 * as JSON (to encrypt, share or show it) and is refused here rather than failing later.
 */
export const MAX_RESOURCE_DEPTH = 100

const text = z.string()
const dateTime = z.string().regex(FHIR_DATE_TIME, 'must be a FHIR date or date-time (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss)')
const opt = <T extends z.ZodType>(schema: T) => schema.optional()
const list = <T extends z.ZodType>(schema: T) => z.array(schema).optional()

const Coding = z.looseObject({ system: opt(text), code: opt(text), display: opt(text) })
const CodeableConcept = z.looseObject({ coding: list(Coding), text: opt(text) })
const Reference = z.looseObject({ reference: opt(text), display: opt(text) })
const Quantity = z.looseObject({
  value: opt(z.number()),
  comparator: opt(z.enum(['<', '<=', '>=', '>'])),
  unit: opt(text),
  code: opt(text),
  system: opt(text),
})
const Period = z.looseObject({ start: opt(dateTime), end: opt(dateTime) })
const Range = z.looseObject({ low: opt(Quantity), high: opt(Quantity) })
const Annotation = z.looseObject({ text, authorString: opt(text), authorReference: opt(Reference), time: opt(dateTime) })
const Identifier = z.looseObject({ system: opt(text), value: opt(text) })
const HumanName = z.looseObject({ text: opt(text), family: opt(text), given: list(text), prefix: list(text), suffix: list(text) })
const Attachment = z.looseObject({
  contentType: opt(text),
  data: opt(z.string().regex(BASE64, 'must be base64')),
  url: opt(text),
  title: opt(text),
  size: opt(z.number().int().nonnegative()),
  creation: opt(dateTime),
})
const Dosage = z.looseObject({ text: opt(text), route: opt(CodeableConcept), patientInstruction: opt(text) })
const ObservationValue = {
  valueQuantity: opt(Quantity),
  valueCodeableConcept: opt(CodeableConcept),
  valueString: opt(text),
  valueBoolean: opt(z.boolean()),
  valueInteger: opt(z.number().int()),
  valueRange: opt(Range),
  valueDateTime: opt(dateTime),
  valuePeriod: opt(Period),
}

const base = {
  resourceType: text,
  id: opt(z.string().regex(FHIR_ID, 'must be 1 to 64 letters, digits, “-” or “.”')),
  meta: opt(z.looseObject({ lastUpdated: opt(text), profile: list(text) })),
  // Most resources have a list of identifiers; a few (Bundle, Composition) have one.
  identifier: opt(z.union([Identifier, z.array(Identifier)])),
}

const medication = {
  medicationCodeableConcept: opt(CodeableConcept),
  medicationReference: opt(Reference),
}
const hasMedication = (r: { medicationCodeableConcept?: unknown; medicationReference?: unknown }) =>
  r.medicationCodeableConcept !== undefined || r.medicationReference !== undefined
const MEDICATION_MISSING = { message: 'medication is missing (medicationCodeableConcept or medicationReference)' }

const schemas: Partial<Record<string, z.ZodType>> = {
  AllergyIntolerance: z.looseObject({
    ...base,
    patient: Reference,
    code: opt(CodeableConcept),
    clinicalStatus: opt(CodeableConcept),
    verificationStatus: opt(CodeableConcept),
    type: opt(text),
    category: list(text),
    criticality: opt(text),
    onsetDateTime: opt(dateTime),
    onsetPeriod: opt(Period),
    onsetString: opt(text),
    recordedDate: opt(dateTime),
    lastOccurrence: opt(dateTime),
    recorder: opt(Reference),
    asserter: opt(Reference),
    note: list(Annotation),
    reaction: list(
      z.looseObject({
        substance: opt(CodeableConcept),
        manifestation: z.array(CodeableConcept),
        description: opt(text),
        onset: opt(dateTime),
        severity: opt(text),
      }),
    ),
  }),
  Condition: z.looseObject({
    ...base,
    subject: Reference,
    code: opt(CodeableConcept),
    clinicalStatus: opt(CodeableConcept),
    verificationStatus: opt(CodeableConcept),
    category: list(CodeableConcept),
    severity: opt(CodeableConcept),
    bodySite: list(CodeableConcept),
    onsetDateTime: opt(dateTime),
    onsetPeriod: opt(Period),
    onsetString: opt(text),
    abatementDateTime: opt(dateTime),
    abatementString: opt(text),
    recordedDate: opt(dateTime),
    recorder: opt(Reference),
    asserter: opt(Reference),
    note: list(Annotation),
  }),
  Observation: z.looseObject({
    ...base,
    status: text,
    code: CodeableConcept,
    category: list(CodeableConcept),
    subject: opt(Reference),
    effectiveDateTime: opt(dateTime),
    effectivePeriod: opt(Period),
    effectiveInstant: opt(dateTime),
    issued: opt(dateTime),
    performer: list(Reference),
    ...ObservationValue,
    dataAbsentReason: opt(CodeableConcept),
    interpretation: list(CodeableConcept),
    note: list(Annotation),
    referenceRange: list(z.looseObject({ low: opt(Quantity), high: opt(Quantity), text: opt(text) })),
    component: list(z.looseObject({ code: CodeableConcept, ...ObservationValue, interpretation: list(CodeableConcept) })),
  }),
  Immunization: z
    .looseObject({
      ...base,
      status: text,
      vaccineCode: CodeableConcept,
      patient: Reference,
      occurrenceDateTime: opt(dateTime),
      occurrenceString: opt(text),
      recorded: opt(dateTime),
      primarySource: opt(z.boolean()),
      lotNumber: opt(text),
      site: opt(CodeableConcept),
      route: opt(CodeableConcept),
      doseQuantity: opt(Quantity),
      performer: list(z.looseObject({ actor: Reference, function: opt(CodeableConcept) })),
      note: list(Annotation),
      protocolApplied: list(z.looseObject({ series: opt(text), doseNumberPositiveInt: opt(z.number().int()), doseNumberString: opt(text) })),
    })
    .refine((r) => r.occurrenceDateTime !== undefined || r.occurrenceString !== undefined, {
      message: 'occurrence is missing (occurrenceDateTime or occurrenceString)',
    }),
  MedicationStatement: z
    .looseObject({
      ...base,
      ...medication,
      status: text,
      subject: Reference,
      effectiveDateTime: opt(dateTime),
      effectivePeriod: opt(Period),
      dateAsserted: opt(dateTime),
      informationSource: opt(Reference),
      reasonCode: list(CodeableConcept),
      dosage: list(Dosage),
      note: list(Annotation),
    })
    .refine(hasMedication, MEDICATION_MISSING),
  MedicationRequest: z
    .looseObject({
      ...base,
      ...medication,
      status: text,
      intent: text,
      subject: Reference,
      authoredOn: opt(dateTime),
      requester: opt(Reference),
      reasonCode: list(CodeableConcept),
      dosageInstruction: list(Dosage),
      note: list(Annotation),
    })
    .refine(hasMedication, MEDICATION_MISSING),
  MedicationAdministration: z
    .looseObject({
      ...base,
      ...medication,
      status: text,
      subject: Reference,
      effectiveDateTime: opt(dateTime),
      effectivePeriod: opt(Period),
      performer: list(z.looseObject({ actor: Reference })),
      note: list(Annotation),
    })
    .refine(hasMedication, MEDICATION_MISSING),
  MedicationDispense: z
    .looseObject({
      ...base,
      ...medication,
      status: text,
      whenHandedOver: opt(dateTime),
      whenPrepared: opt(dateTime),
      quantity: opt(Quantity),
      performer: list(z.looseObject({ actor: Reference })),
      dosageInstruction: list(Dosage),
      note: list(Annotation),
    })
    .refine(hasMedication, MEDICATION_MISSING),
  Medication: z.looseObject({ ...base, code: opt(CodeableConcept) }),
  Procedure: z.looseObject({
    ...base,
    status: text,
    subject: Reference,
    code: opt(CodeableConcept),
    performedDateTime: opt(dateTime),
    performedPeriod: opt(Period),
    performedString: opt(text),
    recorder: opt(Reference),
    asserter: opt(Reference),
    performer: list(z.looseObject({ actor: Reference })),
    reasonCode: list(CodeableConcept),
    bodySite: list(CodeableConcept),
    outcome: opt(CodeableConcept),
    note: list(Annotation),
  }),
  DiagnosticReport: z.looseObject({
    ...base,
    status: text,
    code: CodeableConcept,
    category: list(CodeableConcept),
    subject: opt(Reference),
    effectiveDateTime: opt(dateTime),
    effectivePeriod: opt(Period),
    issued: opt(dateTime),
    performer: list(Reference),
    resultsInterpreter: list(Reference),
    result: list(Reference),
    conclusion: opt(text),
    presentedForm: list(Attachment),
  }),
  DocumentReference: z.looseObject({
    ...base,
    status: text,
    type: opt(CodeableConcept),
    category: list(CodeableConcept),
    subject: opt(Reference),
    date: opt(dateTime),
    author: list(Reference),
    description: opt(text),
    content: z.array(z.looseObject({ attachment: Attachment })).min(1, 'content needs at least one attachment'),
    context: opt(z.looseObject({ period: opt(Period) })),
  }),
  Encounter: z.looseObject({
    ...base,
    status: text,
    class: opt(Coding),
    type: list(CodeableConcept),
    period: opt(Period),
    reasonCode: list(CodeableConcept),
    serviceProvider: opt(Reference),
    participant: list(z.looseObject({ individual: opt(Reference) })),
  }),
  Patient: z.looseObject({ ...base, name: list(HumanName), birthDate: opt(dateTime), gender: opt(text) }),
  Practitioner: z.looseObject({ ...base, name: list(HumanName) }),
  Organization: z.looseObject({ ...base, name: opt(text) }),
  Communication: z.looseObject({
    ...base,
    status: text,
    sent: opt(dateTime),
    sender: opt(Reference),
    payload: list(z.looseObject({ contentString: opt(text) })),
    note: list(Annotation),
  }),
  ClinicalImpression: z.looseObject({
    ...base,
    status: text,
    subject: Reference,
    description: opt(text),
    summary: opt(text),
    date: opt(dateTime),
    effectiveDateTime: opt(dateTime),
    assessor: opt(Reference),
    note: list(Annotation),
  }),
}

const genericSchema = z.looseObject(base)

export type ResourceCheck = { ok: true; resource: Resource } | { ok: false; reason: string }

/**
 * Checks one FHIR R4 resource as CareKey reads it (see the top of this file). Resource types
 * CareKey has no special view for are checked for their common elements only and kept.
 *
 * @example
 * checkR4Resource({ resourceType: 'Observation', status: 'final' })
 * // { ok: false, reason: 'Observation.code is missing' }
 */
export function checkR4Resource(value: unknown): ResourceCheck {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'it is not a JSON object' }
  const type: unknown = Reflect.get(value, 'resourceType')
  if (typeof type !== 'string' || type.trim() === '') return { ok: false, reason: resourceTypeProblem(type) }
  if (!isR4ResourceType(type)) return { ok: false, reason: `“${type.slice(0, 64)}” is not a FHIR R4 resource type` }
  if (nestsDeeperThan(value, MAX_RESOURCE_DEPTH)) {
    return { ok: false, reason: `${type} nests lists and objects more than ${MAX_RESOURCE_DEPTH} levels deep, which no FHIR record does` }
  }
  const schema = schemas[type] ?? genericSchema
  const result = schema.safeParse(value, { reportInput: true })
  if (!result.success) return { ok: false, reason: describeIssue(type, result.error.issues[0]) }
  return isCheckedResource(value, result.success) ? { ok: true, resource: value } : { ok: false, reason: 'it is not a resource' }
}

/**
 * Why a value's resourceType does not name a type: missing, empty, or not text (a number, a
 * list…), said as such so that the person fixing the file knows what to look for.
 *
 * @example
 * resourceTypeProblem(42) // 'its resourceType is a number, not text'
 * resourceTypeProblem(undefined) // 'it has no resourceType'
 */
export function resourceTypeProblem(type: unknown): string {
  if (type === undefined) return 'it has no resourceType'
  if (typeof type === 'string') return 'its resourceType is empty'
  return `its resourceType is ${jsonKind(type)}, not text`
}

function jsonKind(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'number') return 'a number'
  if (typeof value === 'boolean') return 'true or false'
  return 'an object'
}

/** Whether `value` nests arrays and objects more than `limit` levels deep; stops as soon as it does. */
function nestsDeeperThan(value: object, limit: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 1 }]
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (typeof item.value !== 'object' || item.value === null) continue
    if (item.depth > limit) return true
    for (const child of Object.values(item.value)) if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: item.depth + 1 })
  }
  return false
}

/** The schema above has accepted `value`: from here on it is read as the R4 resource it claims to be. */
function isCheckedResource(value: object, accepted: boolean): value is Resource {
  return accepted
}

function describeIssue(type: string, issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return `${type} is not valid`
  const path = [type, ...issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))].join('.').replace(/\.\[/g, '[')
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return `${path} is missing`
    return `${path} must be ${article(issue.expected)}`
  }
  if (issue.code === 'custom') return `${type}: ${issue.message}`
  return `${path} ${issue.message}`
}

function article(expected: string): string {
  switch (expected) {
    case 'string':
      return 'text'
    case 'number':
      return 'a number'
    case 'boolean':
      return 'true or false'
    case 'array':
      return 'a list'
    case 'object':
      return 'an object'
    default:
      return expected
  }
}
