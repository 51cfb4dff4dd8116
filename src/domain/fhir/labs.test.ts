import type { Coding } from '@medplum/fhirtypes'
import { describe, expect, it } from 'vitest'
import { interpretationFlag, looksLikeLoincLongName, normalRange, plainPartOfLoincName, rangeFlag, referenceRangesText, resultMark, sameUnit, testName } from './labs.ts'

const loinc = (code: string, display?: string): Coding => ({ system: 'http://loinc.org', code, display })
const v3 = (code: string) => [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code }] }]
const percent = (value: number) => ({ value, unit: '%', system: 'http://unitsofmeasure.org', code: '%' })

describe('the name of a test', () => {
  it('is the code’s text, then the LOINC long name when it says something else', () => {
    expect(testName({ text: 'HbA1c', coding: [loinc('4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood')] })).toEqual({
      plain: 'HbA1c',
      longName: 'Hemoglobin A1c/Hemoglobin.total in Blood',
    })
    expect(testName({ text: 'Hemoglobin A1c', coding: [loinc('4548-4', 'Hemoglobin A1c')] })).toEqual({ plain: 'Hemoglobin A1c', longName: undefined })
  })

  it('without a text, is the display of a coding that is not a long name, before the LOINC one', () => {
    expect(testName({ coding: [loinc('2345-7', 'Glucose [Mass/volume] in Serum or Plasma'), { system: 'https://lab.example', code: 'GLU', display: 'Glucose, fasting' }] })).toEqual({
      plain: 'Glucose, fasting',
      longName: 'Glucose [Mass/volume] in Serum or Plasma',
    })
  })

  it('when every name is a long name (exports copy it into the text), is the plain part of it', () => {
    const synthea = { coding: [loinc('4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood')], text: 'Hemoglobin A1c/Hemoglobin.total in Blood' }
    expect(testName(synthea)).toEqual({ plain: 'Hemoglobin A1c', longName: 'Hemoglobin A1c/Hemoglobin.total in Blood' })
    expect(testName({ coding: [loinc('6690-2', 'Leukocytes [#/volume] in Blood by Automated count')] }).plain).toBe('Leukocytes')
    expect(testName({ coding: [loinc('2085-9', 'Cholesterol in HDL [Mass/volume] in Serum or Plasma')] }).plain).toBe('Cholesterol in HDL')
    expect(testName({ coding: [loinc('39156-5', 'Body mass index (BMI) [Ratio]')] }).plain).toBe('Body mass index (BMI)')
  })

  it('falls back on the code when nothing has a name, and is empty without a concept', () => {
    expect(testName({ coding: [loinc('4548-4')] })).toEqual({ plain: '4548-4', longName: undefined })
    expect(testName(undefined)).toEqual({ plain: undefined, longName: undefined })
  })

  it('tells a LOINC long name from a name people use', () => {
    for (const long of ['Glucose [Mass/volume] in Blood', 'Hemoglobin A1c/Hemoglobin.total in Blood', 'Platelets by Automated count', 'Creatinine in Urine']) {
      expect(looksLikeLoincLongName(long), long).toBe(true)
    }
    for (const plain of ['HbA1c', 'Cholesterol in HDL', 'Sugar in urine', 'Blood pressure panel', 'White blood cell count']) {
      expect(looksLikeLoincLongName(plain), plain).toBe(false)
    }
    expect(plainPartOfLoincName('[Mass/volume]')).toBeUndefined()
  })
})

describe('high or low', () => {
  it('reads the lab’s interpretation codes H, L, HH, LL, N and A, v3 or v2, and ignores other systems', () => {
    expect(interpretationFlag(v3('H'))).toBe('high')
    expect(interpretationFlag(v3('LL'))).toBe('very-low')
    expect(interpretationFlag(v3('HH'))).toBe('very-high')
    expect(interpretationFlag(v3('N'))).toBe('normal')
    expect(interpretationFlag(v3('A'))).toBe('abnormal')
    expect(interpretationFlag([{ coding: [{ system: 'http://hl7.org/fhir/v2/0078', code: 'L' }] }])).toBe('low')
    expect(interpretationFlag([{ coding: [{ code: 'H' }] }])).toBe('high')
    expect(interpretationFlag([{ coding: [{ system: 'https://lab.example/flags', code: 'H' }] }])).toBeUndefined()
    expect(interpretationFlag([{ text: 'Above target' }])).toBeUndefined()
  })

  it('compares the value with its normal range in the same unit, and not in another', () => {
    const range = { low: percent(4), high: percent(5.6) }
    expect(rangeFlag(percent(6.9), range)).toBe('high')
    expect(rangeFlag(percent(3.2), range)).toBe('low')
    expect(rangeFlag(percent(5.6), range)).toBe('normal')
    expect(rangeFlag({ value: 48, unit: 'mmol/mol' }, range)).toBeUndefined()
    expect(rangeFlag({ value: 6.9, unit: '%' }, { low: { value: 4 }, high: { value: 5.6 } })).toBeUndefined()
    expect(rangeFlag({ value: 7.1 }, { low: { value: 7.35 }, high: { value: 7.45 } })).toBe('low')
    expect(rangeFlag({ value: 0.4, comparator: '<', unit: 'mg/L' }, { high: { value: 5, unit: 'mg/L' } })).toBeUndefined()
    expect(rangeFlag({ value: 3, unit: 'mg/L' }, { high: { value: 5, unit: 'mg/L' } })).toBeUndefined()
    expect(rangeFlag({ value: 6, unit: 'mg/L' }, { high: { value: 5, unit: 'mg/L' } })).toBe('high')
  })

  it('knows units by their UCUM code before their text', () => {
    expect(sameUnit({ code: 'mg/dL', unit: 'mg/dl' }, { code: 'mg/dL', unit: 'milligrams per decilitre' })).toBe(true)
    expect(sameUnit({ code: 'mg/dL' }, { code: 'mmol/L' })).toBe(false)
    expect(sameUnit({ unit: 'mmHg' }, { unit: 'mmHg' })).toBe(true)
    expect(sameUnit({ unit: 'mmHg' }, {})).toBe(false)
  })

  it('uses the one normal range, not one of several for ages or groups, nor a therapeutic one', () => {
    const adult = { low: percent(4), high: percent(5.6) }
    expect(normalRange([adult])).toBe(adult)
    expect(normalRange([{ text: 'see report' }, adult])).toBe(adult)
    expect(normalRange([adult, { low: percent(3), high: percent(5), appliesTo: [{ text: 'Children' }] }])).toBeUndefined()
    const typed = { ...adult, type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/referencerange-meaning', code: 'normal' }] } }
    expect(normalRange([typed])).toBe(typed)
    expect(normalRange([{ ...adult, type: { coding: [{ code: 'therapeutic' }] } }])).toBeUndefined()
  })

  it('marks a result by the lab’s code first, else by its range, else not at all', () => {
    const range = [{ low: percent(4), high: percent(5.6) }]
    expect(resultMark({ valueQuantity: percent(5.0), interpretation: v3('H'), referenceRange: range })).toEqual({ flag: 'high', from: 'lab' })
    expect(resultMark({ valueQuantity: percent(3.1), referenceRange: range })).toEqual({ flag: 'low', from: 'range' })
    expect(resultMark({ valueQuantity: percent(3.1) })).toBeUndefined()
  })

  it('writes the normal ranges as the source does, else as their bounds', () => {
    expect(referenceRangesText([{ low: percent(4), high: percent(5.6) }])).toBe('4–5.6 %')
    expect(referenceRangesText([{ text: 'Under 5.7 % in adults', high: percent(5.6) }, { high: { value: 200, unit: 'mg/dL' } }])).toBe('Under 5.7 % in adults; ≤ 200 mg/dL')
    expect(referenceRangesText([])).toBeUndefined()
  })
})
