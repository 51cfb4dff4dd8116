import { describe, expect, it } from 'vitest'
import { EmptyImportError, MalformedJsonError, NotFhirError, UnsupportedBundleTypeError, UnsupportedFhirVersionError } from './errors.ts'
import { jsonText, nested, parseOutcome } from '../../test/fuzz.ts'
import { IMPORTABLE_BUNDLE_TYPES, parseFhirImport } from './parse.ts'
import { MAX_RESOURCE_DEPTH } from './validate.ts'

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

  it('says a resourceType that is there but not text is not text, rather than that it is missing', () => {
    const refusal = (json: string) => {
      try {
        parseFhirImport(json)
      } catch (error) {
        return error instanceof Error ? error.message : undefined
      }
      return undefined
    }
    expect(refusal('{"resourceType": 42, "status": "final"}')).toBe('This file is JSON but not FHIR: its resourceType is a number, not text. Nothing was imported.')
    expect(refusal('{"resourceType": ["Observation"]}')).toMatch(/: its resourceType is a list, not text\./)
    expect(refusal('{"resourceType": {"text": "Observation"}}')).toMatch(/: its resourceType is an object, not text\./)
    expect(refusal('{"resourceType": ""}')).toMatch(/: its resourceType is empty\./)
    expect(refusal('{"name": "not fhir"}')).toMatch(/: it has no resourceType\./)
    expect(refusal('"Observation"')).toMatch(/: it is not a JSON object, and a FHIR file is a resource or a Bundle\./)

    const parsed = parseFhirImport(bundle('collection', [{ resource: allergy }, { resource: { ...lab, resourceType: null } }, { resource: { ...lab, resourceType: undefined } }]))
    expect(parsed.rejected.map((r) => `${r.position}: ${r.reason}`)).toEqual(['entry 2: its resourceType is null, not text', 'entry 3: it has no resourceType'])
    const lines = parseFhirImport(`${JSON.stringify(allergy)}\n${JSON.stringify({ ...lab, resourceType: true })}`)
    expect(lines.rejected.map((r) => `${r.position}: ${r.reason}`)).toEqual(['line 2: its resourceType is true or false, not text'])
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

  // Found by parse.fuzz.test.ts: zod wrote its error report with JSON.stringify, which overflows
  // the stack on values nested thousands deep, and accepted records as deep could not be
  // encrypted or shown (JSON.stringify again).
  it('refuses a record nested deeper than any FHIR record, instead of failing on it later', () => {
    const deep = (depth: number) => nested(depth, 'array')
    const file = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: allergy }, { resource: { ...lab, note: deep(5_000) } }, { resource: { ...lab, extension: deep(5_000) } }] }
    const parsed = parseFhirImport(jsonText(file)) // JSON.stringify itself cannot write it
    expect(parsed.items).toHaveLength(1)
    expect(parsed.rejected.map((r) => r.reason)).toEqual([
      `Observation nests lists and objects more than ${MAX_RESOURCE_DEPTH} levels deep, which no FHIR record does`,
      `Observation nests lists and objects more than ${MAX_RESOURCE_DEPTH} levels deep, which no FHIR record does`,
    ])
    // The resource is the first level: as deep as the limit allows is kept, one more is not.
    expect(parseFhirImport(JSON.stringify({ ...lab, extension: deep(MAX_RESOURCE_DEPTH - 1) })).items).toHaveLength(1)
    expect(parseFhirImport(JSON.stringify({ ...lab, extension: deep(MAX_RESOURCE_DEPTH) })).items).toHaveLength(0)
  })

  // Found by parse.fuzz.test.ts: the base64 check backtracked quadratically on a long run of
  // spaces (64 000 of them took about ten seconds), freezing the tab that imported the file.
  it('checks attachment data that is a long run of spaces without backtracking', () => {
    const report = (data: string) => ({ resourceType: 'DocumentReference', status: 'current', content: [{ attachment: { contentType: 'text/plain', data } }] })
    const outcome = parseOutcome(() => parseFhirImport(JSON.stringify(report(`${' '.repeat(200_000)}!`))))
    expect(outcome.ok && outcome.value.rejected.map((r) => r.reason)).toEqual(['DocumentReference.content[0].attachment.data must be base64'])
    expect(parseFhirImport(JSON.stringify(report('SGVs bG8=\n'))).items).toHaveLength(1)
  })
})
