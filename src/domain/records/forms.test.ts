import type { AllergyIntolerance, Observation } from '@medplum/fhirtypes'
import { describe, expect, it } from 'vitest'
import { describeResource } from '../fhir/describe.ts'
import { checkR4Resource } from '../fhir/validate.ts'
import { RECORD_FORMS, recordForm } from './forms.ts'

describe('hand-entry forms', () => {
  it('build valid FHIR R4 resources for every kind', () => {
    const values: Record<string, Record<string, string>> = {
      allergy: { substance: 'Peanut', reaction: 'Hives', severity: 'severe', criticality: 'high', onset: '2001-05-01' },
      medication: { name: 'Metformin 500 mg', dosage: 'Twice a day', status: 'active', start: '2020-01-01' },
      condition: { name: 'Asthma', status: 'active', onset: '1990-06-01' },
      immunization: { vaccine: 'Tetanus', date: '2023-02-03', dose: '2', lot: 'AB12' },
      lab: { test: 'HbA1c', value: '5.6', unit: '%', date: '2024-03-12', range: '4.0–5.6' },
      note: { title: 'After the appointment', date: '2024-03-12', text: 'Ask about the <b>new</b> inhaler.' },
    }
    for (const form of RECORD_FORMS) {
      const built = form.build(values[form.kind] ?? {})
      if (!built.ok) throw new Error(`${form.kind}: ${JSON.stringify(built.errors)}`)
      expect(checkR4Resource(built.resource), form.kind).toMatchObject({ ok: true })
      expect(form.matches(built.resource)).toBe(true)
      expect(form.values(built.resource)).toMatchObject(values[form.kind] ?? {})
    }
  })

  it('says which fields need fixing', () => {
    const built = recordForm('lab')?.build({ test: '', value: '5.6', date: '2024-02-30' })
    expect(built).toEqual({ ok: false, errors: { test: 'Enter the test.', date: 'Enter a date as year-month-day, like 2024-03-12.' } })
  })

  it('edits only what the patient changed, keeping the rest of an imported record', () => {
    const imported: AllergyIntolerance = {
      resourceType: 'AllergyIntolerance',
      id: 'from-portal',
      identifier: [{ system: 'urn:portal', value: '9' }],
      patient: { reference: 'Patient/1' },
      code: { coding: [{ system: 'http://snomed.info/sct', code: '762952008', display: 'Peanut' }] },
      criticality: 'low',
    }
    const form = recordForm(imported)
    const edited = form?.build({ ...form.values(imported), criticality: 'high' }, imported)
    if (!edited?.ok) throw new Error('edit refused')
    expect(edited.resource).toEqual({ ...imported, criticality: 'high' })
  })

  it('records a lab value in words when it is not a number', () => {
    const built = recordForm('lab')?.build({ test: 'COVID-19 test', value: 'negative', date: '2024-01-01' })
    if (!built?.ok) throw new Error('refused')
    const lab = built.resource as Observation
    expect(lab.valueString).toBe('negative')
    expect(describeResource(lab).detail).toBe('negative')
  })
})
