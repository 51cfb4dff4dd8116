import type { Resource } from '@medplum/fhirtypes'
import { describe, expect, it } from 'vitest'
import { codeSystemName, codingLabel, isConcept, recordCodesText } from './codes.ts'

const patient = { reference: 'Patient/1' }

describe('the codes of a record', () => {
  it('names the code systems people know, and only those', () => {
    expect(codeSystemName('http://loinc.org')).toBe('LOINC')
    expect(codeSystemName('http://snomed.info/sct')).toBe('SNOMED CT')
    expect(codeSystemName('http://www.nlm.nih.gov/research/umls/rxnorm')).toBe('RxNorm')
    expect(codeSystemName('http://hl7.org/fhir/sid/cvx/')).toBe('CVX')
    expect(codeSystemName('urn:oid:1.2.3')).toBeUndefined()
    expect(codingLabel({ system: 'http://loinc.org', code: ' 4548-4 ' })).toBe('LOINC 4548-4')
    expect(codingLabel({ system: 'https://lab.example/codes', code: 'HBA1C' })).toBe('HBA1C')
    expect(codingLabel({ system: 'http://loinc.org', display: 'no code' })).toBeUndefined()
  })

  it('reads what a lab result, a condition, a medicine and a vaccine are coded as, once each', () => {
    const lab: Resource = {
      resourceType: 'Observation',
      status: 'final',
      code: {
        coding: [
          { system: 'http://loinc.org', code: '4548-4' },
          { system: 'http://loinc.org', code: '4548-4' },
          { system: 'https://lab.example/codes', code: 'A1C' },
        ],
      },
      valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '281302008' }] },
    }
    expect(recordCodesText(lab)).toBe('LOINC 4548-4, A1C, SNOMED CT 281302008')
    expect(recordCodesText({ resourceType: 'Condition', subject: patient, code: { coding: [{ system: 'http://snomed.info/sct', code: '44054006' }] } })).toBe(
      'SNOMED CT 44054006',
    )
    expect(
      recordCodesText({
        resourceType: 'MedicationRequest',
        status: 'active',
        intent: 'order',
        subject: patient,
        medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '860975' }] },
      }),
    ).toBe('RxNorm 860975')
    expect(
      recordCodesText({ resourceType: 'Immunization', status: 'completed', patient, occurrenceDateTime: '2020', vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '140' }] } }),
    ).toBe('CVX 140')
    expect(recordCodesText({ resourceType: 'Condition', subject: patient, code: { text: 'Asthma' } })).toBeUndefined()
  })

  it('skips what is not a coded concept in records whose elements were not checked at import', () => {
    const odd = { resourceType: 'Goal', code: 'walk', type: [{ coding: [{ system: 'http://snomed.info/sct', code: 7 }] }] } as unknown as Resource
    expect(recordCodesText(odd)).toBeUndefined()
    expect(isConcept({ text: 'Walk daily' })).toBe(true)
    expect(isConcept({ coding: [{ code: 1 }] })).toBe(false)
    expect(isConcept(['Walk daily'])).toBe(false)
  })
})
