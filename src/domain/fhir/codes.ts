import type { CodeableConcept, Coding, Resource } from '@medplum/fhirtypes'

/**
 * The codes that say what a record is (a LOINC test, a SNOMED CT condition, an RxNorm
 * medicine), in words people search for: "LOINC 4548-4".
 */

export const LOINC = 'http://loinc.org'

/** Code systems health records use, by their FHIR URI, with the name people know them by. */
const CODE_SYSTEM_NAMES: Readonly<Record<string, string>> = {
  [LOINC]: 'LOINC',
  'http://snomed.info/sct': 'SNOMED CT',
  'http://www.nlm.nih.gov/research/umls/rxnorm': 'RxNorm',
  'http://hl7.org/fhir/sid/cvx': 'CVX',
  'http://hl7.org/fhir/sid/ndc': 'NDC',
  'http://hl7.org/fhir/sid/icd-10': 'ICD-10',
  'http://hl7.org/fhir/sid/icd-10-cm': 'ICD-10-CM',
  'http://hl7.org/fhir/sid/icd-9-cm': 'ICD-9-CM',
  'http://www.ama-assn.org/go/cpt': 'CPT',
  'http://www.whocc.no/atc': 'ATC',
}

/**
 * The name of a code system people know ("LOINC"), or undefined for one CareKey does not know.
 *
 * @example
 * codeSystemName('http://snomed.info/sct') // 'SNOMED CT'
 */
export function codeSystemName(system: string | undefined): string | undefined {
  return system === undefined ? undefined : CODE_SYSTEM_NAMES[system.trim().replace(/\/$/, '')]
}

/**
 * A code with the name of its system: "LOINC 4548-4"; the code alone for a system CareKey does
 * not know (a laboratory's own codes).
 *
 * @example
 * codingLabel({ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '860975' }) // 'RxNorm 860975'
 */
export function codingLabel(coding: Coding): string | undefined {
  const code = coding.code?.trim()
  if (!code) return undefined
  const system = codeSystemName(coding.system)
  return system ? `${system} ${code}` : code
}

/**
 * Elements that name what a record is, by resource type; read for any type that has them.
 * Types CareKey has no view for are not checked at import, so each value is checked here.
 */
const MAIN_CONCEPTS = ['code', 'vaccineCode', 'medicationCodeableConcept', 'type', 'valueCodeableConcept'] as const

/**
 * The codings that say what a record is: its code (an Observation's, a Condition's…), vaccine,
 * medicine or document type, and a coded result; without repeats.
 *
 * @example
 * recordCodings({ resourceType: 'Condition', subject: {}, code: { coding: [{ system: 'http://snomed.info/sct', code: '44054006' }] } })
 * // [{ system: 'http://snomed.info/sct', code: '44054006' }]
 */
export function recordCodings(resource: Resource): Coding[] {
  const codings: Coding[] = []
  const seen = new Set<string>()
  for (const key of MAIN_CONCEPTS) {
    const value: unknown = Reflect.get(resource, key)
    const concepts = Array.isArray(value) ? value : [value]
    for (const concept of concepts) {
      if (!isConcept(concept)) continue
      for (const coding of concept.coding ?? []) {
        const id = `${coding.system ?? ''}|${coding.code ?? ''}`
        if (!coding.code?.trim() || seen.has(id)) continue
        seen.add(id)
        codings.push(coding)
      }
    }
  }
  return codings
}

/**
 * A record's codes in words, for its details and for search: "LOINC 4548-4, SNOMED CT 43396009".
 *
 * @example
 * recordCodesText(observation) // 'LOINC 4548-4'
 */
export function recordCodesText(resource: Resource): string | undefined {
  return (
    recordCodings(resource)
      .map(codingLabel)
      .filter((label): label is string => label !== undefined)
      .join(', ') || undefined
  )
}

/**
 * Whether a value read from a resource CareKey did not check element by element is a
 * CodeableConcept it can read (text and codings that are text where present).
 *
 * @example
 * isConcept({ text: 'Walk daily' }) // true
 * isConcept('Walk daily') // false
 */
export function isConcept(value: unknown): value is CodeableConcept {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const text: unknown = Reflect.get(value, 'text')
  const coding: unknown = Reflect.get(value, 'coding')
  return (text === undefined || typeof text === 'string') && (coding === undefined || (Array.isArray(coding) && coding.every(isCoding)))
}

function isCoding(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  return ['system', 'code', 'display'].every((key) => {
    const part: unknown = Reflect.get(value, key)
    return part === undefined || typeof part === 'string'
  })
}
