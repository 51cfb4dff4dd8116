import type { Observation } from '@medplum/fhirtypes'
import { describe, expect, it } from 'vitest'
import { categoryLabel, categoryOf, isRecordCategory } from './categories.ts'

describe('record categories', () => {
  it('puts each common resource type in its category', () => {
    expect(categoryOf({ resourceType: 'AllergyIntolerance', patient: { reference: 'Patient/1' } })).toBe('allergies')
    expect(categoryOf({ resourceType: 'MedicationStatement', status: 'active', subject: {} })).toBe('medications')
    expect(categoryOf({ resourceType: 'Condition', subject: {} })).toBe('conditions')
    expect(categoryOf({ resourceType: 'Immunization', status: 'completed', vaccineCode: {}, patient: {} })).toBe('immunizations')
    expect(categoryOf({ resourceType: 'DocumentReference', status: 'current', content: [] })).toBe('documents')
    expect(categoryOf({ resourceType: 'Patient' })).toBe('other')
  })

  it('splits observations into vital signs and lab results by their category coding', () => {
    const observation = (code: string): Observation => ({
      resourceType: 'Observation',
      status: 'final',
      code: {},
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code }] }],
    })
    expect(categoryOf(observation('vital-signs'))).toBe('vitals')
    expect(categoryOf(observation('laboratory'))).toBe('labs')
  })

  it('files clinical notes sent as documents under notes, other documents under documents', () => {
    const note = {
      resourceType: 'DocumentReference' as const,
      status: 'current' as const,
      content: [],
      category: [{ coding: [{ system: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category', code: 'clinical-note' }] }],
    }
    expect(categoryOf(note)).toBe('notes')
    expect(categoryOf({ ...note, category: [] })).toBe('documents')
  })

  it('validates category ids and names them', () => {
    expect(isRecordCategory('labs')).toBe(true)
    expect(isRecordCategory('lab')).toBe(false)
    expect(categoryLabel('labs')).toBe('Lab results')
  })
})
