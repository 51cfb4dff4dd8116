import type { Resource } from '@medplum/fhirtypes'

/**
 * The categories a patient sees their records in, filters by, and grants consent for. Every
 * record belongs to exactly one. The ids are stable: they appear in consent scopes.
 */
export const RECORD_CATEGORIES = [
  { id: 'allergies', label: 'Allergies' },
  { id: 'medications', label: 'Medications' },
  { id: 'conditions', label: 'Conditions' },
  { id: 'immunizations', label: 'Immunizations' },
  { id: 'procedures', label: 'Procedures' },
  { id: 'labs', label: 'Lab results' },
  { id: 'vitals', label: 'Vital signs' },
  { id: 'documents', label: 'Documents' },
  { id: 'notes', label: 'Notes' },
  { id: 'other', label: 'Other' },
] as const

export type RecordCategory = (typeof RECORD_CATEGORIES)[number]['id']

export const RECORD_CATEGORY_IDS: readonly RecordCategory[] = RECORD_CATEGORIES.map((c) => c.id)

/** The patient-facing name of a category. */
export function categoryLabel(category: RecordCategory): string {
  return RECORD_CATEGORIES.find((c) => c.id === category)?.label ?? 'Other'
}

export function isRecordCategory(value: unknown): value is RecordCategory {
  return typeof value === 'string' && (RECORD_CATEGORY_IDS as readonly string[]).includes(value)
}

const OBSERVATION_CATEGORY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/observation-category'
/** US Core DocumentReference category; its code 'clinical-note' marks a clinical note. */
export const DOCUMENT_CATEGORY_SYSTEM = 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category'
export const CLINICAL_NOTE = 'clinical-note'

/**
 * The category of a FHIR R4 resource. Observations split into lab results and vital signs by
 * their observation-category coding; anything unrecognised is 'other' (kept, never dropped).
 *
 * @example
 * categoryOf({ resourceType: 'AllergyIntolerance', patient: { reference: 'Patient/1' } }) // 'allergies'
 */
export function categoryOf(resource: Resource): RecordCategory {
  switch (resource.resourceType) {
    case 'AllergyIntolerance':
      return 'allergies'
    case 'MedicationStatement':
    case 'MedicationRequest':
    case 'MedicationAdministration':
    case 'MedicationDispense':
    case 'Medication':
      return 'medications'
    case 'Condition':
      return 'conditions'
    case 'Immunization':
      return 'immunizations'
    case 'Procedure':
      return 'procedures'
    case 'DiagnosticReport':
      return 'labs'
    case 'DocumentReference':
      // Clinical notes travel as documents (US Core's "clinical-note" category): the patient
      // looks for them with their notes.
      return (resource.category ?? []).some((c) => c.coding?.some((k) => k.code === CLINICAL_NOTE && k.system === DOCUMENT_CATEGORY_SYSTEM))
        ? 'notes'
        : 'documents'
    case 'Binary':
      return 'documents'
    case 'Observation': {
      const codes = (resource.category ?? []).flatMap((c) => c.coding ?? []).filter((c) => c.system === OBSERVATION_CATEGORY_SYSTEM)
      if (codes.some((c) => c.code === 'vital-signs')) return 'vitals'
      if (codes.some((c) => c.code === 'laboratory')) return 'labs'
      if (resource.valueString !== undefined && codes.length === 0) return 'notes'
      return 'labs'
    }
    case 'Communication':
    case 'ClinicalImpression':
      return 'notes'
    default:
      return 'other'
  }
}
