import { R5_ONLY_RESOURCE_TYPES, STU3_ONLY_RESOURCE_TYPES } from './resourceTypes.ts'

/** Why a resource is taken for another FHIR version than R4. */
export type OtherFhirVersion = { version: 'R5' | 'STU3'; evidence: string }

type Json = Record<string, unknown>

const MEDICATION_TYPES = new Set(['MedicationStatement', 'MedicationRequest', 'MedicationAdministration', 'MedicationDispense'])
/** Resources that had `context` in STU3 and `encounter` in R4 (DocumentReference keeps `context` in R4). */
const STU3_CONTEXT_TYPES = new Set([
  'Observation',
  'MedicationRequest',
  'MedicationStatement',
  'MedicationAdministration',
  'MedicationDispense',
  'Procedure',
  'DiagnosticReport',
  'Communication',
  'Condition',
  'ClinicalImpression',
])

/**
 * Looks for the marks of FHIR R5 or STU3 in one resource: resource types that R4 does not
 * have, elements that were renamed or changed shape between versions, and version-stamped
 * profiles. Returns undefined when nothing points away from R4. A heuristic by nature: it
 * names the element it relied on, so the patient (or their portal) can check.
 *
 * @example
 * detectOtherFhirVersion({ resourceType: 'MedicationStatement', medication: { concept: { text: 'Aspirin' } } })
 * // { version: 'R5', evidence: 'MedicationStatement uses “medication”, an R5 element' }
 */
export function detectOtherFhirVersion(resource: Json): OtherFhirVersion | undefined {
  const type = typeof resource.resourceType === 'string' ? resource.resourceType : ''
  const r5 = (element: string): OtherFhirVersion => ({ version: 'R5', evidence: `${type} uses “${element}”, an R5 element` })
  const stu3 = (element: string): OtherFhirVersion => ({ version: 'STU3', evidence: `${type} uses “${element}”, an STU3 element` })

  if (R5_ONLY_RESOURCE_TYPES.has(type)) return { version: 'R5', evidence: `the resource type ${type} exists only in R5` }
  if (STU3_ONLY_RESOURCE_TYPES.has(type)) return { version: 'STU3', evidence: `the resource type ${type} does not exist in R4` }

  const stamped = versionFromMeta(resource.meta)
  if (stamped) return { version: stamped, evidence: `${type} declares a FHIR ${stamped} profile` }
  if (typeof resource.fhirVersion === 'string') {
    if (resource.fhirVersion.startsWith('5.')) return { version: 'R5', evidence: `${type} declares fhirVersion ${resource.fhirVersion}` }
    if (/^(3\.|1\.0)/.test(resource.fhirVersion)) return { version: 'STU3', evidence: `${type} declares fhirVersion ${resource.fhirVersion}` }
  }

  const has = (key: string) => resource[key] !== undefined
  if (type === 'Bundle' && has('issues')) return r5('issues')
  if (MEDICATION_TYPES.has(type)) {
    if (isObject(resource.medication)) return r5('medication')
    if (type === 'MedicationStatement' && (has('taken') || has('notTaken') || has('reasonNotTaken'))) return stu3('taken')
  }
  if (STU3_CONTEXT_TYPES.has(type) && has('context')) return stu3('context')
  switch (type) {
    case 'AllergyIntolerance':
    case 'Condition':
      if (has('participant')) return r5('participant')
      if (typeof resource.clinicalStatus === 'string') return stu3('clinicalStatus as a plain code')
      if (typeof resource.verificationStatus === 'string') return stu3('verificationStatus as a plain code')
      if (has('assertedDate')) return stu3('assertedDate')
      break
    case 'Encounter':
      if (Array.isArray(resource.class)) return r5('class as a list')
      if (has('actualPeriod')) return r5('actualPeriod')
      if (has('virtualService')) return r5('virtualService')
      break
    case 'Procedure':
      if (has('occurrenceDateTime') || has('occurrencePeriod')) return r5('occurrence')
      if (has('reason')) return r5('reason')
      if (has('notDone')) return stu3('notDone')
      break
    case 'Immunization':
      if (has('informationSource')) return r5('informationSource')
      if (has('reason')) return r5('reason')
      if (has('notGiven')) return stu3('notGiven')
      if (has('vaccinationProtocol')) return stu3('vaccinationProtocol')
      if (has('practitioner')) return stu3('practitioner')
      if (has('date') && !has('occurrenceDateTime') && !has('occurrenceString')) return stu3('date')
      break
    case 'Observation':
      if (has('triggeredBy')) return r5('triggeredBy')
      if (has('bodyStructure')) return r5('bodyStructure')
      if (has('instantiatesCanonical')) return r5('instantiatesCanonical')
      break
    case 'DiagnosticReport':
      if (has('study') || has('supportingInfo')) return r5(has('study') ? 'study' : 'supportingInfo')
      break
    case 'DocumentReference':
      if (Array.isArray(resource.context)) return r5('context as a list')
      if (has('attester')) return r5('attester')
      if (has('indexed')) return stu3('indexed')
      if (has('class')) return stu3('class')
      break
    case 'Patient':
      if (has('animal')) return stu3('animal')
      break
  }
  return undefined
}

function versionFromMeta(meta: unknown): 'R5' | 'STU3' | undefined {
  if (!isObject(meta) || !Array.isArray(meta.profile)) return undefined
  for (const profile of meta.profile) {
    if (typeof profile !== 'string') continue
    if (/hl7\.org\/fhir\/(R5|5\.0)\//.test(profile)) return 'R5'
    if (/hl7\.org\/fhir\/(STU3|3\.0)\//.test(profile)) return 'STU3'
  }
  return undefined
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
