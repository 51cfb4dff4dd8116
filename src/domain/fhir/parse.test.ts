import { describe, expect, it } from 'vitest'
import { EmptyImportError, MalformedJsonError, NotFhirError, UnsupportedBundleTypeError, UnsupportedFhirVersionError } from './errors.ts'
import { IMPORTABLE_BUNDLE_TYPES, parseFhirImport } from './parse.ts'

const patientRef = { reference: 'Patient/p1' }
const allergy = { resourceType: 'AllergyIntolerance', id: 'a1', patient: patientRef, code: { text: 'Peanut' } }
const lab = {
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '4548-4', display: 'Hemoglobin A1c' }] },
  valueQuantity: { value: 5.6, unit: '%' },
}
const bundle = (type: string, entry: unknown[]) => JSON.stringify({ resourceType: 'Bundle', type, entry })

describe('reading FHIR R4 files', () => {
  it.each(IMPORTABLE_BUNDLE_TYPES)('reads the resources of a %s bundle', (type) => {
    const parsed = parseFhirImport(bundle(type, [{ resource: allergy }, { resource: lab, request: { method: 'POST', url: 'Observation' } }]))
    expect(parsed.source).toEqual({ kind: 'bundle', bundleType: type })
    expect(parsed.items.map((i) => i.resource.resourceType)).toEqual(['AllergyIntolerance', 'Observation'])
    expect(parsed.rejected).toEqual([])
  })

  it('reads a single resource and NDJSON', () => {
    expect(parseFhirImport(JSON.stringify(lab)).items).toHaveLength(1)
    const ndjson = `${JSON.stringify(allergy)}\n\n${JSON.stringify(lab)}\n`
    const parsed = parseFhirImport(ndjson)
    expect(parsed.source.kind).toBe('ndjson')
    expect(parsed.items.map((i) => i.position)).toEqual(['line 1', 'line 3'])
  })

  it('keeps resource types it has no special view for', () => {
    const carePlan = { resourceType: 'CarePlan', status: 'active', intent: 'plan', subject: patientRef, title: 'Diabetes plan' }
    expect(parseFhirImport(bundle('collection', [{ resource: carePlan }])).items[0]?.resource).toEqual(carePlan)
  })

  it('rejects bad entries with a reason and keeps the good ones', () => {
    const parsed = parseFhirImport(
      bundle('transaction', [
        { resource: allergy },
        { resource: { resourceType: 'Observation', status: 'final' } },
        { resource: { ...lab, valueQuantity: { value: '5.6', unit: '%' } } },
        { resource: { resourceType: 'Immunization', status: 'completed', vaccineCode: { text: 'MMR' }, patient: patientRef } },
        { resource: { resourceType: 'Condition', subject: patientRef, onsetDateTime: 'last spring' } },
        { resource: { resourceType: 'Spaceship' } },
        { request: { method: 'DELETE', url: 'Observation/1' } },
        { resource: { resourceType: 'OperationOutcome', issue: [] }, search: { mode: 'outcome' } },
        { resource: { resourceType: 'Bundle', type: 'collection', entry: [] } },
        'not an object',
      ]),
    )
    expect(parsed.items).toHaveLength(1)
    expect(parsed.rejected.map((r) => `${r.position}: ${r.reason}`)).toEqual([
      'entry 2: Observation.code is missing',
      'entry 3: Observation.valueQuantity.value must be a number',
      'entry 4: Immunization: occurrence is missing (occurrenceDateTime or occurrenceString)',
      'entry 5: Condition.onsetDateTime must be a FHIR date or date-time (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss)',
      'entry 6: “Spaceship” is not a FHIR R4 resource type',
      'entry 7: it is a delete instruction, not a record',
      'entry 8: it is a message from the search, not a record',
      'entry 9: a bundle inside a bundle is not imported; import it on its own',
      'entry 10: the entry is not a JSON object',
    ])
  })

  it('refuses malformed JSON, JSON that is not FHIR, empty files and bundles', () => {
    expect(() => parseFhirImport('{"resourceType": "Bundle",')).toThrow(MalformedJsonError)
    expect(() => parseFhirImport('{"name": "not fhir"}')).toThrow(NotFhirError)
    expect(() => parseFhirImport('[1, 2]')).toThrow(NotFhirError)
    expect(() => parseFhirImport('   ')).toThrow(EmptyImportError)
    expect(() => parseFhirImport(bundle('collection', []))).toThrow(EmptyImportError)
    expect(() => parseFhirImport(bundle('history', [{ resource: lab }]))).toThrow(UnsupportedBundleTypeError)
    expect(() => parseFhirImport('{"a":1}\n{"b":2}')).toThrow(NotFhirError)
  })

  it('refuses FHIR R5 and STU3, naming what gave them away', () => {
    const r5 = { resourceType: 'MedicationStatement', status: 'recorded', subject: patientRef, medication: { concept: { text: 'Aspirin' } } }
    expect(() => parseFhirImport(bundle('collection', [{ resource: allergy }, { resource: r5 }]))).toThrow(
      /FHIR R5.*entry 2: MedicationStatement uses “medication”, an R5 element/,
    )
    const stu3 = { resourceType: 'AllergyIntolerance', patient: patientRef, clinicalStatus: 'active', verificationStatus: 'confirmed' }
    expect(() => parseFhirImport(JSON.stringify(stu3))).toThrow(UnsupportedFhirVersionError)
    expect(() => parseFhirImport(JSON.stringify({ resourceType: 'ProcedureRequest' }))).toThrow(/FHIR STU3/)
    expect(() => parseFhirImport(JSON.stringify({ resourceType: 'Encounter', status: 'finished', class: [{ text: 'x' }] }))).toThrow(/FHIR R5/)
    expect(() => parseFhirImport(`${JSON.stringify(lab)}\n${JSON.stringify({ ...lab, context: { reference: 'Encounter/1' } })}`)).toThrow(
      /STU3.*line 2/,
    )
  })

  it('keeps markup in strings as it is (rendering treats it as text)', () => {
    const script = { ...allergy, code: { text: '<img src=x onerror=alert(1)><script>alert(1)</script>' } }
    expect(parseFhirImport(JSON.stringify(script)).items[0]?.resource).toEqual(script)
  })
})
