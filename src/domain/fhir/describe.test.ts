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
    expect(lab.detail).toBe('6.9 % · High (normal 4–5.6 %)')
    expect(lab.recorder).toBe('Riverside Lab')
    expect(lab.facts).toContainEqual({ label: 'Normal range', value: '4–5.6 %' })
    expect(lab.facts).toContainEqual({ label: 'Interpretation', value: 'High' })
    expect(lab.facts).toContainEqual({ label: 'Codes', value: 'LOINC 4548-4' })
  })

  it('a lab result: its plain name first, the LOINC long name among the details', () => {
    const lab = describeResource({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'Glucose', coding: [{ system: 'http://loinc.org', code: '2345-7', display: 'Glucose [Mass/volume] in Serum or Plasma' }] },
      valueQuantity: { value: 92, unit: 'mg/dL' },
    })
    expect(lab.title).toBe('Glucose')
    expect(lab.facts.slice(0, 2)).toEqual([
      { label: 'Test', value: 'Glucose' },
      { label: 'LOINC name', value: 'Glucose [Mass/volume] in Serum or Plasma' },
    ])
    const copied = describeResource({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'Hemoglobin A1c/Hemoglobin.total in Blood', coding: [{ system: 'http://loinc.org', code: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood' }] },
    })
    expect(copied.title).toBe('Hemoglobin A1c')
  })

  it('a lab result without the lab’s interpretation: high or low from its range, said in words', () => {
    const potassium = (value: number, unit = 'mmol/L') =>
      describeResource({
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'Potassium' },
        valueQuantity: { value, unit },
        referenceRange: [{ low: { value: 3.5, unit: 'mmol/L' }, high: { value: 5.1, unit: 'mmol/L' } }],
      })
    expect(potassium(3.1).detail).toBe('3.1 mmol/L · Low (normal 3.5–5.1 mmol/L)')
    expect(potassium(3.1).facts).toContainEqual({ label: 'Interpretation', value: 'Low: below the normal range' })
    expect(potassium(5.8).detail).toBe('5.8 mmol/L · High (normal 3.5–5.1 mmol/L)')
    expect(potassium(4.2).detail).toBe('4.2 mmol/L · Normal (normal 3.5–5.1 mmol/L)')
    // Another unit: the range is shown, but the value is not marked.
    expect(potassium(20, 'mg/dL').detail).toBe('20 mg/dL (normal 3.5–5.1 mmol/L)')
    const worded = describeResource({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'Ferritin' },
      valueQuantity: { value: 8, unit: 'ug/L' },
      interpretation: [{ text: 'Below reference' }],
      referenceRange: [{ text: '15 to 150 ug/L' }],
    })
    expect(worded.detail).toBe('8 ug/L · Below reference')
    expect(worded.facts).toContainEqual({ label: 'Normal range', value: '15 to 150 ug/L' })
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
    const high = describeResource({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'Blood pressure' },
      component: [
        { code: { coding: [{ code: '8480-6' }] }, valueQuantity: { value: 162, unit: 'mmHg' }, interpretation: [{ coding: [{ code: 'H' }] }] },
        { code: { coding: [{ code: '8462-4' }] }, valueQuantity: { value: 82, unit: 'mmHg' }, interpretation: [{ coding: [{ code: 'N' }] }] },
      ],
    })
    expect(high.detail).toBe('162/82 mmHg · Systolic high')
    const panel = describeResource({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'Urine test' },
      component: [{ code: { text: 'pH' }, valueQuantity: { value: 8.5 }, referenceRange: [{ low: { value: 4.5 }, high: { value: 8 } }] }, { code: { text: 'Colour' }, valueString: 'Yellow' }],
    })
    expect(panel.detail).toBe('pH: 8.5 (High); Colour: Yellow')
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
    const coded = describeResource({
      resourceType: 'DiagnosticReport',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '24323-8', display: 'Comprehensive metabolic 2000 panel - Serum or Plasma' }, { display: 'Metabolic panel' }] },
    })
    expect(coded.title).toBe('Metabolic panel')
    expect(coded.facts).toContainEqual({ label: 'LOINC name', value: 'Comprehensive metabolic 2000 panel - Serum or Plasma' })
  })

  it('the patient: their name, birth date and gender on one line, and how to reach them', () => {
    const person = describeResource({
      resourceType: 'Patient',
      name: [{ use: 'nickname', given: ['Rini'] }, { use: 'official', given: ['Oriane'], family: 'Vellacott-Quenby' }],
      birthDate: '1971-05-19',
      gender: 'female',
      address: [{ line: ['14 Larkspur Lane'], city: 'Fennimore Bay', postalCode: 'FB4 2QL' }],
      telecom: [{ system: 'phone', value: '+44 20 7946 0000' }],
    })
    expect(person.title).toBe('Oriane Vellacott-Quenby')
    expect(person.detail).toBe('Born 19 May 1971 · Female')
    expect(person.facts).toContainEqual({ label: 'Address', value: '14 Larkspur Lane, Fennimore Bay, FB4 2QL' })
    expect(person.facts).toContainEqual({ label: 'Phone or email', value: '+44 20 7946 0000' })
    expect(describeResource({ resourceType: 'Patient' }).title).toBe('Patient')
  })

  it('a goal: its description, progress and target', () => {
    const walk = describeResource({
      resourceType: 'Goal',
      lifecycleStatus: 'active',
      achievementStatus: { coding: [{ code: 'improving', display: 'Improving' }] },
      description: { text: 'Bring HbA1c below 7 %' },
      subject: patient,
      startDate: '2023-02-03',
      target: [{ measure: { text: 'HbA1c' }, detailQuantity: { value: 7, comparator: '<', unit: '%' }, dueDate: '2024-02-03' }],
      note: [{ text: 'Walk 30 minutes a day' }],
    })
    expect(walk.title).toBe('Bring HbA1c below 7 %')
    expect(walk.date).toBe('2023-02-03')
    expect(walk.detail).toBe('Improving · Active')
    expect(walk.facts).toContainEqual({ label: 'Target', value: 'HbA1c < 7 %' })
    expect(walk.facts).toContainEqual({ label: 'Due', value: '3 Feb 2024' })
    expect(walk.facts).toContainEqual({ label: 'Note', value: 'Walk 30 minutes a day' })
    expect(describeResource({ resourceType: 'Goal', lifecycleStatus: 'proposed', description: { coding: [{ display: 'Quit smoking' }] }, subject: patient }).title).toBe('Quit smoking')
    // Goals were imported without their elements being checked: whatever is not what it should be is left out.
    const odd = { resourceType: 'Goal', description: 'Walk more', target: 'soon', note: [7], startDate: 'spring' } as unknown as Resource
    expect(describeResource(odd)).toMatchObject({ title: 'Goal', date: undefined, facts: [] })
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
