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
  Procedure,
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
    case 'Patient': {
      const name = humanNameText(resource.name?.[0])
      return build({
        title: name ?? 'Patient',
        facts: [
          ['Name', name],
          ['Born', date(resource.birthDate)],
          ['Gender', codeWords(resource.gender)],
        ],
      })
    }
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
  const systolic = byCode(SYSTOLIC)?.valueQuantity
  const diastolic = byCode(DIASTOLIC)?.valueQuantity
  if (systolic?.value !== undefined && diastolic?.value !== undefined) {
    return `${systolic.value}/${diastolic.value} ${systolic.unit ?? diastolic.unit ?? 'mmHg'}`
  }
  return components
    .map((c) => [codeText(c.code), observationValueText(c)].filter(Boolean).join(': '))
    .filter(Boolean)
    .join('; ')
}

function observation(r: Observation, date: DateFn): ResourceDescription {
  const when = r.effectiveDateTime ?? r.effectivePeriod?.start ?? r.effectiveInstant ?? r.issued
  const value = observationValueText(r) ?? componentsText(r.component) ?? codeText(r.dataAbsentReason)
  const interpretation = joinConcepts(r.interpretation)
  const ranges = (r.referenceRange ?? []).map((range) => range.text ?? rangeText(range)).filter(Boolean).join('; ')
  return build({
    title: codeText(r.code) ?? 'Observation',
    date: when,
    detail: [value, interpretation && `(${interpretation})`].filter(Boolean).join(' ') || undefined,
    recorder: r.performer?.map(referenceText).find(Boolean),
    facts: [
      ['Test', codeText(r.code)],
      ['Result', value],
      ['Interpretation', interpretation],
      ['Normal range', ranges || undefined],
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
  return build({
    title: codeText(r.code) ?? 'Report',
    date: when,
    detail: firstLine(r.conclusion) ?? (results ? `${results} result${results === 1 ? '' : 's'}` : undefined),
    recorder: by,
    text: textAttachments(r.presentedForm),
    facts: [
      ['Report', codeText(r.code)],
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

function isConcept(value: unknown): value is CodeableConcept {
  if (typeof value !== 'object' || value === null) return false
  const text: unknown = Reflect.get(value, 'text')
  const coding: unknown = Reflect.get(value, 'coding')
  return (
    (text === undefined || typeof text === 'string') &&
    (coding === undefined ||
      (Array.isArray(coding) &&
        coding.every((c: unknown) => {
          if (typeof c !== 'object' || c === null) return false
          const display: unknown = Reflect.get(c, 'display')
          const code: unknown = Reflect.get(c, 'code')
          return (display === undefined || typeof display === 'string') && (code === undefined || typeof code === 'string')
        })))
  )
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
