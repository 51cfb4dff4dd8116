import { describe, expect, it } from 'vitest'
import { codeText, fhirDateSortKey, fhirDayKey, formatFhirDate, humanNameText, periodText, quantityText, rangeText, resourceTypeText } from './display.ts'

describe('FHIR data types in words', () => {
  it('names a code by its text, else its display, else its code', () => {
    expect(codeText({ text: 'Sugar test', coding: [{ display: 'Hemoglobin A1c' }] })).toBe('Sugar test')
    expect(codeText({ coding: [{ code: '4548-4' }, { display: 'Hemoglobin A1c' }] })).toBe('Hemoglobin A1c')
    expect(codeText({ coding: [{ system: 'http://loinc.org', code: '4548-4' }] })).toBe('4548-4')
    expect(codeText({})).toBeUndefined()
  })

  it('writes quantities and ranges with their units', () => {
    expect(quantityText({ value: 5.6, unit: '%' })).toBe('5.6 %')
    expect(quantityText({ value: 0.5, comparator: '<', code: 'mg/L' })).toBe('< 0.5 mg/L')
    expect(quantityText({ unit: 'mg' })).toBeUndefined()
    expect(rangeText({ low: { value: 4, unit: '%' }, high: { value: 5.6, unit: '%' } })).toBe('4–5.6 %')
    expect(rangeText({ high: { value: 200, unit: 'mg/dL' } })).toBe('≤ 200 mg/dL')
  })

  it('writes dates as precise as they were recorded', () => {
    expect(formatFhirDate('2024')).toBe('2024')
    expect(formatFhirDate('2024-03')).toBe('March 2024')
    expect(formatFhirDate('2024-03-12')).toBe('12 Mar 2024')
    expect(formatFhirDate('2024-03-12T14:05:00Z', { timeZone: 'UTC' })).toBe('12 Mar 2024, 14:05')
    expect(formatFhirDate('2024-03-12T23:30:00-05:00', { timeZone: 'Europe/Paris' })).toBe('13 Mar 2024, 05:30')
    expect(periodText({ start: '2024-01-02', end: '2024-01-09' })).toBe('2 Jan 2024 – 9 Jan 2024')
  })

  it('orders and groups by date, partial dates from their start', () => {
    expect(fhirDateSortKey('2024')).toBe(Date.UTC(2024, 0, 1))
    expect(fhirDateSortKey('2024-03-12T10:00:00Z')).toBe(Date.UTC(2024, 2, 12, 10))
    expect(fhirDateSortKey(undefined)).toBeNaN()
    expect(fhirDayKey('2024-03-12T23:30:00-05:00', { timeZone: 'Europe/Paris' })).toBe('2024-03-13')
    expect(fhirDayKey('2024-03')).toBe('2024-03')
  })

  it('names people and resource types', () => {
    expect(humanNameText({ prefix: ['Dr'], given: ['Ana', 'B.'], family: 'Lima' })).toBe('Dr Ana B. Lima')
    expect(resourceTypeText('CarePlan')).toBe('Care plan')
  })
})
