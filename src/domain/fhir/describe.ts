import type {
  AllergyIntolerance,
  Attachment,
  CodeableConcept,
  Condition,
  DiagnosticReport,
  DocumentReference,
  Dosage,
  Encounter,
  Immunization,
  MedicationAdministration,
  MedicationDispense,
  MedicationRequest,
  MedicationStatement,
  Observation,
  ObservationComponent,
  Patient,
  Procedure,
  Quantity,
  Reference,
  Resource,
} from '@medplum/fhirtypes'
import {
  annotationTexts,
  codeText,
  codeWords,
  codingText,
  formatFhirDate,
  humanNameText,
  periodText,
  quantityText,
  rangeText,
  referenceText,
  resourceTypeText,
  type DateDisplayOptions,
} from './display.ts'
import { isConcept, recordCodesText } from './codes.ts'
import { FHIR_DATE_TIME } from './validate.ts'
import { normalRange, referenceRangesText, RESULT_FLAG_WORDS, resultMark, testName, type ResultMark } from './labs.ts'

/** One line of a record as a person reads it: "Result: 5.6 %". */
export type Fact = { label: string; value: string }

/** A record in words: what the timeline and the detail screen show. */
export type ResourceDescription = {
  /** What it is: "Peanut allergy", "Hemoglobin A1c", "MMR vaccine". */
  title: string
  /** The FHIR date or dateTime it happened (or was recorded), as written in the record. */
  date: string | undefined
  /** One line under the title in lists: a value, a dosage, a status. */
  detail: string | undefined
  /** Who recorded it, performed it or asserted it, in words. */
  recorder: string | undefined
  /** Everything worth reading, in order. */
  facts: Fact[]
  /** Free text that belongs to the record (a note's body, a report's text), if any. */
  text: string | undefined
}

const SYSTOLIC = '8480-6'
const DIASTOLIC = '8462-4'

/**
 * Describes any FHIR R4 resource for people. Common kinds get a tailored view; any other type
 * is shown generically (its type, name or code, date and status) and never dropped.
 *
 * @example
 * describeResource({ resourceType: 'Observation', status: 'final', code: { text: 'Hemoglobin A1c' }, valueQuantity: { value: 5.6, unit: '%' } })
 * // { title: 'Hemoglobin A1c', detail: '5.6 %', facts: [{ label: 'Result', value: '5.6 %' }, ...], ... }
 */
export function describeResource(resource: Resource, options: DateDisplayOptions = {}): ResourceDescription {
  return withCodes(describeKind(resource, options), resource)
}

/** The record's codes ("LOINC 4548-4") as one fact, before its notes: people and the search look for them. */
function withCodes(description: ResourceDescription, resource: Resource): ResourceDescription {
  const codes = recordCodesText(resource)
  if (!codes) return description
  const notesAt = description.facts.findIndex((f) => f.label === 'Note')
  const facts = [...description.facts]
  facts.splice(notesAt === -1 ? facts.length : notesAt, 0, { label: 'Codes', value: codes })
  return { ...description, facts }
}

function describeKind(resource: Resource, options: DateDisplayOptions): ResourceDescription {
  const date = (value: string | undefined) => formatFhirDate(value, options)
  switch (resource.resourceType) {
    case 'AllergyIntolerance':
      return allergy(resource, date)
    case 'Condition':
      return condition(resource, date)
    case 'Observation':
      return observation(resource, date)
    case 'Immunization':
      return immunization(resource, date)
    case 'MedicationStatement':
    case 'MedicationRequest':
    case 'MedicationAdministration':
    case 'MedicationDispense':
      return medication(resource, date)
    case 'Medication':
      return build({ title: codeText(resource.code) ?? 'Medicine', facts: [['Medicine', codeText(resource.code)]] })
    case 'Procedure':
      return procedure(resource, date, options)
    case 'DiagnosticReport':
      return report(resource, date, options)
    case 'DocumentReference':
      return document(resource, date)
    case 'Encounter':
      return encounter(resource, options)
    case 'Patient':
      return patient(resource, date)
    case 'Goal':
      return goal(resource, date)
    case 'Practitioner': {
      const name = humanNameText(resource.name?.[0])
      return build({ title: name ?? 'Practitioner', facts: [['Name', name]] })
    }
    case 'Organization':
      return build({ title: resource.name ?? 'Organization', facts: [['Name', resource.name]] })
    case 'Communication': {
      const text = (resource.payload ?? []).map((p) => p.contentString).filter(Boolean).join('\n\n') || undefined
      return build({
        title: firstLine(text) ?? 'Message',
        date: resource.sent,
        recorder: referenceText(resource.sender),
        text,
        facts: [
          ['Sent', date(resource.sent)],
          ['From', referenceText(resource.sender)],
          ['Status', codeWords(resource.status)],
        ],
      })
    }
    case 'ClinicalImpression':
      return build({
        title: resource.description ?? firstLine(resource.summary) ?? 'Clinical assessment',
        date: resource.effectiveDateTime ?? resource.date,
        recorder: referenceText(resource.assessor),
        text: resource.summary,
        facts: [
          ['Date', date(resource.effectiveDateTime ?? resource.date)],
          ['Assessed by', referenceText(resource.assessor)],
          ['Status', codeWords(resource.status)],
        ],
        notes: annotationTexts(resource.note),
      })
    default:
      return generic(resource, date)
  }
}

type DateFn = (value: string | undefined) => string | undefined
type FactInput = [string, string | undefined]

function build(parts: {
  title: string
  date?: string | undefined
  detail?: string | undefined
  recorder?: string | undefined
  text?: string | undefined
  facts: FactInput[]
  notes?: string[]
}): ResourceDescription {
  const facts: Fact[] = []
  for (const [label, value] of parts.facts) if (value !== undefined && value.trim() !== '') facts.push({ label, value })
  if (parts.recorder && !facts.some((f) => f.value === parts.recorder)) facts.push({ label: 'Recorded by', value: parts.recorder })
  for (const note of parts.notes ?? []) facts.push({ label: 'Note', value: note })
  return {
    title: parts.title.trim() || 'Record',
    date: parts.date,
    detail: parts.detail,
    recorder: parts.recorder,
    facts,
    text: parts.text,
  }
}

function allergy(r: AllergyIntolerance, date: DateFn): ResourceDescription {
  const reactions = (r.reaction ?? []).map((reaction) => {
    const what = reaction.manifestation.map(codeText).filter(Boolean).join(', ') || reaction.description
    return [what, reaction.severity && `(${reaction.severity})`].filter(Boolean).join(' ')
  })
  const onset = r.onsetDateTime ?? r.onsetPeriod?.start
  const criticality = r.criticality === 'high' ? 'High risk' : r.criticality === 'low' ? 'Low risk' : codeWords(r.criticality)
  return build({
    title: codeText(r.code) ?? 'Allergy',
    date: onset ?? r.recordedDate ?? r.lastOccurrence,
    detail: [criticality, reactions.join('; ')].filter(Boolean).join(' · ') || undefined,
    recorder: referenceText(r.recorder) ?? referenceText(r.asserter),
    facts: [
      ['Substance', codeText(r.code)],
      ['Type', codeWords(r.type)],
      ['Category', r.category?.map((c) => codeWords(c)).join(', ')],
      ['Risk', criticality],
      ['Reactions', reactions.join('; ') || undefined],
      ['Status', codeText(r.clinicalStatus)],
      ['Verification', codeText(r.verificationStatus)],
      ['Since', date(onset) ?? r.onsetString],
      ['Recorded', date(r.recordedDate)],
      ['Last reaction', date(r.lastOccurrence)],
    ],
    notes: annotationTexts(r.note),
  })
}

function condition(r: Condition, date: DateFn): ResourceDescription {
  const onset = r.onsetDateTime ?? r.onsetPeriod?.start
  const status = codeText(r.clinicalStatus)
  return build({
    title: codeText(r.code) ?? 'Condition',
    date: onset ?? r.recordedDate,
    detail: status,
    recorder: referenceText(r.recorder) ?? referenceText(r.asserter),
    facts: [
      ['Condition', codeText(r.code)],
      ['Status', status],
      ['Verification', codeText(r.verificationStatus)],
      ['Severity', codeText(r.severity)],
      ['Body site', joinConcepts(r.bodySite)],
      ['Since', date(onset) ?? r.onsetString],
      ['Resolved', date(r.abatementDateTime) ?? r.abatementString],
      ['Recorded', date(r.recordedDate)],
    ],
    notes: annotationTexts(r.note),
  })
}

type ObservationValues = Pick<
  Observation,
  'valueQuantity' | 'valueCodeableConcept' | 'valueString' | 'valueBoolean' | 'valueInteger' | 'valueRange' | 'valueDateTime' | 'valuePeriod'
>

/**
 * The value of an observation (or of one of its components) in words.
 *
 * @example
 * observationValueText({ valueQuantity: { value: 72, unit: '/min' } }) // '72 /min'
 */
export function observationValueText(o: ObservationValues, options: DateDisplayOptions = {}): string | undefined {
  if (o.valueQuantity) return quantityText(o.valueQuantity)
  if (o.valueCodeableConcept) return codeText(o.valueCodeableConcept)
  if (o.valueString !== undefined) return o.valueString
  if (o.valueBoolean !== undefined) return o.valueBoolean ? 'Yes' : 'No'
  if (o.valueInteger !== undefined) return String(o.valueInteger)
  if (o.valueRange) return rangeText(o.valueRange)
  if (o.valueDateTime) return formatFhirDate(o.valueDateTime, options)
  if (o.valuePeriod) return periodText(o.valuePeriod, options)
  return undefined
}

function componentsText(components: ObservationComponent[] | undefined): string | undefined {
  if (!components?.length) return undefined
  const byCode = (code: string) => components.find((c) => c.code.coding?.some((k) => k.code === code))
  const systolic = byCode(SYSTOLIC)
  const diastolic = byCode(DIASTOLIC)
  if (systolic?.valueQuantity?.value !== undefined && diastolic?.valueQuantity?.value !== undefined) {
    const pressure = `${systolic.valueQuantity.value}/${diastolic.valueQuantity.value} ${systolic.valueQuantity.unit ?? diastolic.valueQuantity.unit ?? 'mmHg'}`
    const flagged = [
      ['Systolic', resultMark(systolic)],
      ['Diastolic', resultMark(diastolic)],
    ] as const
    const flags = flagged.flatMap(([which, mark]) => (mark && mark.flag !== 'normal' ? [`${which} ${RESULT_FLAG_WORDS[mark.flag].toLowerCase()}`] : []))
    return [pressure, ...flags].join(' · ')
  }
  return components
    .map((c) => {
      const mark = resultMark(c)
      const value = observationValueText(c)
      return [testName(c.code).plain, value && mark ? `${value} (${RESULT_FLAG_WORDS[mark.flag]})` : value].filter(Boolean).join(': ')
    })
    .filter(Boolean)
    .join('; ')
}

/** A result's mark in words: "High", or "High: above the normal range" when CareKey compared it with the range. */
function markWords(mark: ResultMark): string {
  const words = RESULT_FLAG_WORDS[mark.flag]
  if (mark.from === 'lab') return words
  const where = mark.flag === 'high' ? 'above' : mark.flag === 'low' ? 'below' : 'within'
  return `${words}: ${where} the normal range`
}

function observation(r: Observation, date: DateFn): ResourceDescription {
  const when = r.effectiveDateTime ?? r.effectivePeriod?.start ?? r.effectiveInstant ?? r.issued
  const name = testName(r.code)
  const value = observationValueText(r) ?? componentsText(r.component) ?? codeText(r.dataAbsentReason)
  const mark = resultMark(r)
  // Interpretations without a code CareKey knows are shown as the lab wrote them.
  const interpretation = mark ? markWords(mark) : joinConcepts(r.interpretation)
  const normal = normalRange(r.referenceRange)
  const normalText = normal && (normal.text?.trim() || rangeText(normal))
  const detail = [value, mark ? RESULT_FLAG_WORDS[mark.flag] : interpretation].filter(Boolean).join(' · ')
  return build({
    title: name.plain ?? 'Observation',
    date: when,
    detail: (detail && normalText ? `${detail} (normal ${normalText})` : detail) || undefined,
    recorder: r.performer?.map(referenceText).find(Boolean),
    facts: [
      ['Test', name.plain],
      ['LOINC name', name.longName],
      ['Result', value],
      ['Interpretation', interpretation],
      ['Normal range', referenceRangesText(r.referenceRange)],
      ['Date', date(when)],
      ['Status', codeWords(r.status)],
    ],
    notes: annotationTexts(r.note),
  })
}

function immunization(r: Immunization, date: DateFn): ResourceDescription {
  const dose = r.protocolApplied?.[0]
  const doseText = dose?.doseNumberPositiveInt !== undefined ? `Dose ${dose.doseNumberPositiveInt}` : dose?.doseNumberString
  const given = r.performer?.map((p) => referenceText(p.actor)).find(Boolean)
  return build({
    title: codeText(r.vaccineCode) ?? 'Vaccination',
    date: r.occurrenceDateTime ?? r.recorded,
    detail: r.status === 'completed' ? doseText : codeWords(r.status),
    recorder: given,
    facts: [
      ['Vaccine', codeText(r.vaccineCode)],
      ['Date', date(r.occurrenceDateTime) ?? r.occurrenceString],
      ['Status', codeWords(r.status)],
      ['Dose', [doseText, dose?.series].filter(Boolean).join(', ') || undefined],
      ['Amount', quantityText(r.doseQuantity)],
      ['Lot number', r.lotNumber],
      ['Site', codeText(r.site)],
      ['Route', codeText(r.route)],
      ['Given by', given],
      ['Source', r.primarySource === false ? 'Reported (not from the giver’s own record)' : undefined],
    ],
    notes: annotationTexts(r.note),
  })
}

function dosageText(dosages: Dosage[] | undefined): string | undefined {
  return (dosages ?? []).map((d) => d.text ?? d.patientInstruction).filter(Boolean).join('; ') || undefined
}

function medication(
  r: MedicationStatement | MedicationRequest | MedicationAdministration | MedicationDispense,
  date: DateFn,
): ResourceDescription {
  const name = codeText(r.medicationCodeableConcept) ?? referenceText(r.medicationReference) ?? 'Medicine'
  switch (r.resourceType) {
    case 'MedicationStatement': {
      const dosage = dosageText(r.dosage)
      const when = r.effectiveDateTime ?? r.effectivePeriod?.start ?? r.dateAsserted
      return build({
        title: name,
        date: when,
        detail: [dosage, r.status !== 'active' ? codeWords(r.status) : undefined].filter(Boolean).join(' · ') || undefined,
        recorder: referenceText(r.informationSource),
        facts: [
          ['Medicine', name],
          ['Dosage', dosage],
          ['Status', codeWords(r.status)],
          ['Taken', r.effectivePeriod ? periodText(r.effectivePeriod) : date(r.effectiveDateTime)],
          ['Reason', joinConcepts(r.reasonCode)],
          ['Reported', date(r.dateAsserted)],
        ],
        notes: annotationTexts(r.note),
      })
    }
    case 'MedicationRequest': {
      const dosage = dosageText(r.dosageInstruction)
      return build({
        title: name,
        date: r.authoredOn,
        detail: [dosage, codeWords(r.status)].filter(Boolean).join(' · ') || undefined,
        recorder: referenceText(r.requester),
        facts: [
          ['Medicine', name],
          ['Dosage', dosage],
          ['Prescribed', date(r.authoredOn)],
          ['Prescribed by', referenceText(r.requester)],
          ['Status', codeWords(r.status)],
          ['Kind', codeWords(r.intent)],
          ['Reason', joinConcepts(r.reasonCode)],
        ],
        notes: annotationTexts(r.note),
      })
    }
    case 'MedicationAdministration': {
      const when = r.effectiveDateTime ?? r.effectivePeriod?.start
      const by = r.performer?.map((p) => referenceText(p.actor)).find(Boolean)
      return build({
        title: name,
        date: when,
        detail: codeWords(r.status),
        recorder: by,
        facts: [
          ['Medicine', name],
          ['Given', date(when)],
          ['Given by', by],
          ['Status', codeWords(r.status)],
        ],
        notes: annotationTexts(r.note),
      })
    }
    case 'MedicationDispense': {
      const by = r.performer?.map((p) => referenceText(p.actor)).find(Boolean)
      const dosage = dosageText(r.dosageInstruction)
      return build({
        title: name,
        date: r.whenHandedOver ?? r.whenPrepared,
        detail: [quantityText(r.quantity), dosage].filter(Boolean).join(' · ') || undefined,
        recorder: by,
        facts: [
          ['Medicine', name],
          ['Quantity', quantityText(r.quantity)],
          ['Dosage', dosage],
          ['Handed over', date(r.whenHandedOver)],
          ['Dispensed by', by],
          ['Status', codeWords(r.status)],
        ],
        notes: annotationTexts(r.note),
      })
    }
  }
}

function procedure(r: Procedure, date: DateFn, options: DateDisplayOptions): ResourceDescription {
  const when = r.performedDateTime ?? r.performedPeriod?.start
  const by = r.performer?.map((p) => referenceText(p.actor)).find(Boolean)
  return build({
    title: codeText(r.code) ?? 'Procedure',
    date: when,
    detail: r.status !== 'completed' ? codeWords(r.status) : codeText(r.outcome),
    recorder: by ?? referenceText(r.recorder) ?? referenceText(r.asserter),
    facts: [
      ['Procedure', codeText(r.code)],
      ['Date', r.performedPeriod ? periodText(r.performedPeriod, options) : (date(r.performedDateTime) ?? r.performedString)],
      ['Status', codeWords(r.status)],
      ['Performed by', by],
      ['Reason', joinConcepts(r.reasonCode)],
      ['Body site', joinConcepts(r.bodySite)],
      ['Outcome', codeText(r.outcome)],
    ],
    notes: annotationTexts(r.note),
  })
}

function report(r: DiagnosticReport, date: DateFn, options: DateDisplayOptions): ResourceDescription {
  const when = r.effectiveDateTime ?? r.effectivePeriod?.start ?? r.issued
  const by = r.performer?.map(referenceText).find(Boolean) ?? r.resultsInterpreter?.map(referenceText).find(Boolean)
  const results = r.result?.length
  const name = testName(r.code)
  return build({
    title: name.plain ?? 'Report',
    date: when,
    detail: firstLine(r.conclusion) ?? (results ? `${results} result${results === 1 ? '' : 's'}` : undefined),
    recorder: by,
    text: textAttachments(r.presentedForm),
    facts: [
      ['Report', name.plain],
      ['LOINC name', name.longName],
      ['Date', r.effectivePeriod ? periodText(r.effectivePeriod, options) : date(when)],
      ['Status', codeWords(r.status)],
      ['Conclusion', r.conclusion],
      ['Results', results ? String(results) : undefined],
      ['Issued', date(r.issued)],
    ],
  })
}

function document(r: DocumentReference, date: DateFn): ResourceDescription {
  const attachments = r.content.map((c) => c.attachment)
  const when = r.date ?? r.context?.period?.start ?? attachments.find((a) => a.creation)?.creation
  const author = r.author?.map(referenceText).find(Boolean)
  const files = attachments.map(attachmentLabel).join('; ')
  return build({
    title: r.description ?? codeText(r.type) ?? attachments.find((a) => a.title)?.title ?? 'Document',
    date: when,
    detail: codeText(r.type) !== r.description ? codeText(r.type) : undefined,
    recorder: author,
    text: textAttachments(attachments),
    facts: [
      ['Type', codeText(r.type)],
      ['Category', joinConcepts(r.category)],
      ['Date', date(when)],
      ['Author', author],
      ['Files', files || undefined],
      ['Status', codeWords(r.status)],
    ],
  })
}

function patient(r: Patient, date: DateFn): ResourceDescription {
  const name = humanNameText(r.name?.find((n) => n.use === 'official') ?? r.name?.[0])
  const born = date(r.birthDate)
  const gender = codeWords(r.gender)
  return build({
    title: name ?? 'Patient',
    detail: [born && `Born ${born}`, gender].filter(Boolean).join(' · ') || undefined,
    facts: [
      ['Name', name],
      ['Born', born],
      ['Gender', gender],
      ['Address', addressText(Reflect.get(r, 'address'))],
      ['Phone or email', telecomText(Reflect.get(r, 'telecom'))],
    ],
  })
}

/** The first address of a Patient (not checked at import: read with care), on one line. */
function addressText(value: unknown): string | undefined {
  const address: unknown = Array.isArray(value) ? value[0] : undefined
  if (typeof address !== 'object' || address === null) return undefined
  const text = stringAt(address, 'text')
  if (text) return text
  const lines: unknown = Reflect.get(address, 'line')
  const parts = [
    ...(Array.isArray(lines) ? lines.filter((l): l is string => typeof l === 'string') : []),
    stringAt(address, 'city'),
    stringAt(address, 'postalCode'),
    stringAt(address, 'country'),
  ]
  return parts.filter(Boolean).join(', ') || undefined
}

function telecomText(value: unknown): string | undefined {
  if (!Array.isArray(value)) return undefined
  const contacts: unknown[] = value
  return contacts.map((c) => (typeof c === 'object' && c !== null ? stringAt(c, 'value') : undefined)).filter(Boolean).join(', ') || undefined
}

function stringAt(value: object, key: string): string | undefined {
  const part: unknown = Reflect.get(value, key)
  return typeof part === 'string' && part.trim() !== '' ? part.trim() : undefined
}

function conceptAt(value: object, key: string): CodeableConcept | undefined {
  const part: unknown = Reflect.get(value, key)
  return isConcept(part) ? part : undefined
}

/**
 * A Goal: what the patient aims for (its description), how it is going and by when. CareKey
 * imported Goals without checking their elements, so each one is read with care here.
 */
function goal(r: Resource, date: DateFn): ResourceDescription {
  const description = conceptAt(r, 'description')
  const title = codeText(description)
  const lifecycle = codeWords(stringAt(r, 'lifecycleStatus'))
  const achievement = codeText(conceptAt(r, 'achievementStatus'))
  const targets: unknown = Reflect.get(r, 'target')
  const target: unknown = Array.isArray(targets) ? targets[0] : undefined
  const due = typeof target === 'object' && target !== null ? dateAt(target, 'dueDate') : undefined
  const start = dateAt(r, 'startDate')
  const notes: unknown = Reflect.get(r, 'note')
  return build({
    title: title ?? 'Goal',
    date: start ?? dateAt(r, 'statusDate') ?? due,
    detail: [achievement, lifecycle].filter(Boolean).join(' · ') || undefined,
    recorder: referenceText(referenceAt(r, 'expressedBy')),
    facts: [
      ['Goal', title],
      ['Status', lifecycle],
      ['Progress', achievement],
      ['Priority', codeText(conceptAt(r, 'priority'))],
      ['Target', typeof target === 'object' && target !== null ? goalTargetText(target) : undefined],
      ['Start', date(start)],
      ['Due', date(due)],
    ],
    notes: Array.isArray(notes)
      ? notes.map((n: unknown) => (typeof n === 'object' && n !== null ? stringAt(n, 'text') : undefined)).filter((n): n is string => n !== undefined)
      : [],
  })
}

function dateAt(value: object, key: string): string | undefined {
  const date = stringAt(value, key)
  return date !== undefined && FHIR_DATE_TIME.test(date) ? date : undefined
}

function referenceAt(value: object, key: string): Reference | undefined {
  const part: unknown = Reflect.get(value, key)
  if (typeof part !== 'object' || part === null) return undefined
  const display = stringAt(part, 'display')
  return display ? { display } : undefined
}

/** "HbA1c below 7 %": a Goal target's measure and the value it aims for. */
function goalTargetText(target: object): string | undefined {
  const measure = codeText(conceptAt(target, 'measure'))
  const quantity: unknown = Reflect.get(target, 'detailQuantity')
  const amount =
    typeof quantity === 'object' && quantity !== null && typeof Reflect.get(quantity, 'value') === 'number'
      ? quantityText({ value: Number(Reflect.get(quantity, 'value')), unit: stringAt(quantity, 'unit'), comparator: comparatorAt(quantity) })
      : (stringAt(target, 'detailString') ?? codeText(conceptAt(target, 'detailCodeableConcept')))
  return [measure, amount].filter(Boolean).join(' ') || undefined
}

function comparatorAt(quantity: object): Quantity['comparator'] {
  const comparator: unknown = Reflect.get(quantity, 'comparator')
  return comparator === '<' || comparator === '<=' || comparator === '>=' || comparator === '>' ? comparator : undefined
}

function encounter(r: Encounter, options: DateDisplayOptions): ResourceDescription {
  const kind = joinConcepts(r.type) ?? codingText(r.class)
  const where = referenceText(r.serviceProvider)
  const who = r.participant?.map((p) => referenceText(p.individual)).find(Boolean)
  return build({
    title: kind ?? 'Visit',
    date: r.period?.start,
    detail: where,
    recorder: who,
    facts: [
      ['Visit', kind],
      ['Kind', codingText(r.class)],
      ['When', periodText(r.period, options)],
      ['Where', where],
      ['With', who],
      ['Reason', joinConcepts(r.reasonCode)],
      ['Status', codeWords(r.status)],
    ],
  })
}

/** Fields many resource types share, read defensively for types CareKey has no view for. */
const GENERIC_DATE_FIELDS = ['date', 'authoredOn', 'created', 'recorded', 'issued', 'occurrenceDateTime', 'effectiveDateTime', 'sent']

function generic(resource: Resource, date: DateFn): ResourceDescription {
  const read = (key: string): unknown => Reflect.get(resource, key)
  const str = (key: string) => {
    const value = read(key)
    return typeof value === 'string' && value.trim() !== '' ? value : undefined
  }
  const concept = (key: string) => {
    const value = read(key)
    return isConcept(value) ? codeText(value) : Array.isArray(value) && isConcept(value[0]) ? codeText(value[0]) : undefined
  }
  const period = read('period')
  const start: unknown = typeof period === 'object' && period !== null ? Reflect.get(period, 'start') : undefined
  const when = GENERIC_DATE_FIELDS.map(str).find(Boolean) ?? (typeof start === 'string' ? start : undefined)
  const name = str('title') ?? str('name') ?? concept('code') ?? concept('type') ?? str('description')
  const kind = resourceTypeText(resource.resourceType)
  return build({
    title: name ? `${kind}: ${name}` : kind,
    date: when && /^\d{4}/.test(when) ? when : undefined,
    detail: codeWords(str('status')),
    facts: [
      ['Kind of record', kind],
      ['Name', name],
      ['Date', when && /^\d{4}/.test(when) ? date(when) : undefined],
      ['Status', codeWords(str('status'))],
      ['Description', str('description') !== name ? str('description') : undefined],
    ],
  })
}

function joinConcepts(concepts: CodeableConcept[] | undefined): string | undefined {
  return (concepts ?? []).map(codeText).filter(Boolean).join(', ') || undefined
}

function firstLine(text: string | undefined): string | undefined {
  const line = text?.split('\n').find((l) => l.trim() !== '')?.trim()
  if (!line) return undefined
  return line.length > 120 ? `${line.slice(0, 119)}…` : line
}

/** "Discharge letter (PDF, 1.2 MB)". */
export function attachmentLabel(attachment: Attachment): string {
  const kind = attachment.contentType ? contentTypeText(attachment.contentType) : undefined
  const size = attachment.size !== undefined ? sizeText(attachment.size) : undefined
  const extra = [kind, size].filter(Boolean).join(', ')
  return `${attachment.title ?? 'File'}${extra ? ` (${extra})` : ''}`
}

function contentTypeText(contentType: string): string {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? ''
  if (type === 'application/pdf') return 'PDF'
  if (type.startsWith('image/')) return `${type.slice(6).toUpperCase()} image`
  if (type === 'text/plain') return 'text'
  return type
}

function sizeText(bytes: number): string {
  if (bytes < 1000) return `${bytes} bytes`
  if (bytes < 1_000_000) return `${Math.round(bytes / 100) / 10} kB`
  return `${Math.round(bytes / 100_000) / 10} MB`
}

/** The text of plain-text attachments embedded in a record (clinical notes are often sent so). */
function textAttachments(attachments: Attachment[] | undefined): string | undefined {
  const texts = (attachments ?? [])
    .filter((a) => a.data && (a.contentType ?? '').toLowerCase().startsWith('text/plain'))
    .map((a) => decodeBase64Text(a.data ?? ''))
    .filter((t): t is string => t !== undefined && t.trim() !== '')
  return texts.length ? texts.join('\n\n') : undefined
}

/**
 * Text from base64 (UTF-8); undefined when it is not base64. Invalid UTF-8 becomes U+FFFD.
 *
 * @example
 * decodeBase64Text('SGVsbG8=') // 'Hello'
 */
export function decodeBase64Text(data: string): string | undefined {
  try {
    const binary = atob(data.replace(/\s+/g, ''))
    const bytes = new Uint8Array(binary.length)
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
    return new TextDecoder('utf-8').decode(bytes)
  } catch {
    return undefined
  }
}
