// @vitest-environment jsdom
import type { Resource } from '@medplum/fhirtypes'
import { cleanup, render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'
import { SharedRecordsView } from './SharedRecordsView.tsx'

afterEach(cleanup)

const laboratory = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }]
const subject = { reference: 'urn:uuid:ea2cc5b8-d687-459b-810c-99ee1260e03a' }
const shared: Resource[] = [
  { resourceType: 'CarePlan', status: 'active', intent: 'plan', subject, title: 'Diabetes self-care' },
  {
    resourceType: 'DiagnosticReport',
    status: 'final',
    code: { text: 'Lipid panel' },
    effectiveDateTime: '2024-03-12',
    result: [{ reference: 'urn:uuid:0a8e2d47-0000-4000-8000-000000000001' }, { reference: 'Observation/not-shared' }],
  },
  {
    resourceType: 'Patient',
    id: 'ea2cc5b8-d687-459b-810c-99ee1260e03a',
    name: [{ given: ['Oriane'], family: 'Vellacott-Quenby' }],
    birthDate: '1971-05-19',
    gender: 'female',
  },
  {
    resourceType: 'Observation',
    id: '0a8e2d47-0000-4000-8000-000000000001',
    status: 'final',
    category: laboratory,
    code: { coding: [{ system: 'http://loinc.org', code: '2089-1', display: 'Cholesterol in LDL [Mass/volume] in Serum or Plasma' }], text: 'LDL cholesterol' },
    effectiveDateTime: '2024-03-12',
    valueQuantity: { value: 4.2, unit: 'mmol/L' },
    referenceRange: [{ high: { value: 3, unit: 'mmol/L' } }],
  },
]

describe('the shared records, as the clinician reads them', () => {
  it('show the patient they are about first, and not as a record under Other', () => {
    render(<SharedRecordsView resources={shared} />)
    const about = screen.getByRole('region', { name: 'About the patient' })
    expect(within(about).getByRole('heading', { name: 'Oriane Vellacott-Quenby' })).toBeTruthy()
    expect(about.textContent).toContain('Born 19 May 1971 · Female')
    const other = screen.getByRole('region', { name: 'Other (1)' })
    expect(within(other).getAllByRole('heading', { level: 3 }).map((h) => h.textContent)).toEqual(['Care plan: Diabetes self-care'])
    expect(screen.getAllByRole('heading', { level: 2 }).map((h) => h.textContent)).toEqual(['About the patient', 'Lab results (2)', 'Other (1)'])
  })

  it('mark a result high or low in words, and name it plainly', () => {
    render(<SharedRecordsView resources={shared} />)
    const labs = screen.getByRole('region', { name: 'Lab results (2)' })
    expect(within(labs).getByRole('heading', { name: 'LDL cholesterol' })).toBeTruthy()
    expect(labs.textContent).toContain('4.2 mmol/L · High')
  })

  it('list a report’s shared results, each a step away, and say which are not in the share', async () => {
    const user = userEvent.setup()
    render(<SharedRecordsView resources={shared} />)
    const results = screen.getByRole('list', { name: 'Results of Lipid panel' })
    const ldl = within(results).getByRole('button', { name: /^LDL cholesterol/ })
    expect(ldl.textContent).toContain('4.2 mmol/L · High')
    expect(screen.getByText('One of its results is not in this share.')).toBeTruthy()
    await user.click(ldl)
    const focused = document.activeElement
    expect(focused?.tagName).toBe('LI')
    expect(within(focused as HTMLElement).getByRole('heading', { level: 3 }).textContent).toBe('LDL cholesterol')
  })

  it('show no patient section when the share has no Patient', () => {
    render(<SharedRecordsView resources={shared.filter((r) => r.resourceType !== 'Patient')} />)
    expect(screen.queryByRole('region', { name: 'About the patient' })).toBeNull()
  })
})
