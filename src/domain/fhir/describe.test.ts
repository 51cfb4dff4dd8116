import type { Resource } from '@medplum/fhirtypes'
import { describe, expect, it } from 'vitest'
import { describeResource } from './describe.ts'

const patient = { reference: 'Patient/1' }
const facts = (resource: Resource) => Object.fromEntries(describeResource(resource, { timeZone: 'UTC' }).facts.map((f) => [f.label, f.value]))

describe('records in words, per kind', () => {
  it('an allergy: substance, risk, reactions, since when, who recorded it', () => {
    const allergy = describeResource({
      resourceType: 'AllergyIntolerance',
      patient,
      code: { coding: [{ system: 'http://snomed.info/sct', code: '762952008', display: 'Peanut' }] },
      criticality: 'high',
      clinicalStatus: { coding: [{ code: 'active', display: 'Active' }] },
      reaction: [{ manifestation: [{ text: 'Hives' }, { text: 'Swollen lips' }], severity: 'moderate' }],
      onsetDateTime: '2009-06',
      recorder: { display: 'Dr Ana Lima' },
      note: [{ text: 'Carries an auto-injector' }],
    })
    expect(allergy.title).toBe('Peanut')
    expect(allergy.date).toBe('2009-06')
    expect(allergy.detail).toBe('High risk · Hives, Swollen lips (moderate)')
    expect(allergy.recorder).toBe('Dr Ana Lima')
    expect(allergy.facts).toContainEqual({ label: 'Since', value: 'June 2009' })
    expect(allergy.facts).toContainEqual({ label: 'Note', value: 'Carries an auto-injector' })
  })

  it('a lab result: test, value with unit, interpretation, normal range, performer', () => {
    const lab = describeResource({
      resourceType: 'Observation',
      status: 'final',
      category: [{ coding: [{ code: 'laboratory' }] }],
      code: { coding: [{ system: 'http://loinc.org', code: '4548-4', display: 'Hemoglobin A1c' }] },
      valueQuantity: { value: 6.9, unit: '%' },
      interpretation: [{ coding: [{ code: 'H', display: 'High' }] }],
      referenceRange: [{ low: { value: 4, unit: '%' }, high: { value: 5.6, unit: '%' } }],
      effectiveDateTime: '2024-03-12T08:30:00Z',
      performer: [{ display: 'Riverside Lab' }],
    })
    expect(lab.title).toBe('Hemoglobin A1c')
    expect(lab.detail).toBe('6.9 % (High)')
    expect(lab.recorder).toBe('Riverside Lab')
    expect(lab.facts).toContainEqual({ label: 'Normal range', value: '4–5.6 %' })
  })

  it('vital signs: a blood pressure reads as systolic/diastolic', () => {
    const bp = describeResource({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'Blood pressure' },
      component: [
        { code: { coding: [{ code: '8480-6' }] }, valueQuantity: { value: 128, unit: 'mmHg' } },
        { code: { coding: [{ code: '8462-4' }] }, valueQuantity: { value: 82, unit: 'mmHg' } },
      ],
    })
    expect(bp.detail).toBe('128/82 mmHg')
  })

  it('a condition: name, status, since when', () => {
    expect(
      facts({ resourceType: 'Condition', subject: patient, code: { text: 'Type 2 diabetes' }, clinicalStatus: { text: 'Active' }, onsetDateTime: '2019-04-02' }),
    ).toMatchObject({ Condition: 'Type 2 diabetes', Status: 'Active', Since: '2 Apr 2019' })
  })

  it('an immunization: vaccine, date, dose, lot, who gave it', () => {
    const shot = describeResource({
      resourceType: 'Immunization',
      status: 'completed',
      vaccineCode: { text: 'Influenza, seasonal' },
      patient,
      occurrenceDateTime: '2023-10-05',
      lotNumber: 'FLU-2231',
      protocolApplied: [{ doseNumberPositiveInt: 1 }],
      performer: [{ actor: { display: 'Nurse Ben Okafor' } }],
    })
    expect(shot.title).toBe('Influenza, seasonal')
    expect(shot.detail).toBe('Dose 1')
    expect(shot.recorder).toBe('Nurse Ben Okafor')
    expect(Object.fromEntries(shot.facts.map((f) => [f.label, f.value]))).toMatchObject({ 'Lot number': 'FLU-2231', Date: '5 Oct 2023' })
  })

  it('medications: statement with dosage, request with prescriber', () => {
    const taken = describeResource({
      resourceType: 'MedicationStatement',
      status: 'active',
      subject: patient,
      medicationCodeableConcept: { text: 'Metformin 500 mg' },
      dosage: [{ text: 'One tablet twice a day' }],
      effectivePeriod: { start: '2019-04-02' },
    })
    expect(taken.detail).toBe('One tablet twice a day')
    expect(taken.facts).toContainEqual({ label: 'Taken', value: 'from 2 Apr 2019' })
    const prescribed = describeResource({
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      subject: patient,
      medicationReference: { display: 'Lisinopril 10 mg' },
      requester: { display: 'Dr Ana Lima' },
      authoredOn: '2022-01-15',
    })
    expect(prescribed.title).toBe('Lisinopril 10 mg')
    expect(prescribed.recorder).toBe('Dr Ana Lima')
  })

  it('a procedure and a diagnostic report', () => {
    expect(facts({ resourceType: 'Procedure', status: 'completed', subject: patient, code: { text: 'Appendectomy' }, performedDateTime: '2015-08-20' })).toMatchObject({
      Procedure: 'Appendectomy',
      Date: '20 Aug 2015',
    })
    const report = describeResource({ resourceType: 'DiagnosticReport', status: 'final', code: { text: 'Lipid panel' }, result: [{}, {}, {}] })
    expect(report.detail).toBe('3 results')
  })

  it('a document and a clinical note with its text', () => {
    const note = describeResource({
      resourceType: 'DocumentReference',
      status: 'current',
      type: { text: 'Progress note' },
      date: '2024-02-01T10:00:00Z',
      author: [{ display: 'Dr Ana Lima' }],
      content: [{ attachment: { contentType: 'text/plain; charset=utf-8', data: btoa('Feeling better.\nSleeping well.') } }],
    })
    expect(note.title).toBe('Progress note')
    expect(note.text).toBe('Feeling better.\nSleeping well.')
    const pdf = describeResource({
      resourceType: 'DocumentReference',
      status: 'current',
      description: 'Discharge letter',
      content: [{ attachment: { contentType: 'application/pdf', title: 'letter.pdf', size: 1_234_567 } }],
    })
    expect(pdf.facts).toContainEqual({ label: 'Files', value: 'letter.pdf (PDF, 1.2 MB)' })
  })

  it('any other type generically: its kind, name, date and status', () => {
    const plan = describeResource({ resourceType: 'CarePlan', status: 'active', intent: 'plan', subject: patient, title: 'Diabetes self-care', created: '2020-05-01' })
    expect(plan.title).toBe('Care plan: Diabetes self-care')
    expect(plan.date).toBe('2020-05-01')
    expect(plan.detail).toBe('Active')
  })
})
