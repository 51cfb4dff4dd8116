import type { CodeableConcept, ObservationReferenceRange, Quantity } from '@medplum/fhirtypes'
import { isConcept, LOINC } from './codes.ts'
import { codeText, rangeText } from './display.ts'

/**
 * Lab results and measurements for people: the test's plain name before its LOINC long name,
 * the normal range, and whether the value is high or low, in words.
 */

/** What a test is called: its plain name, and the LOINC long name when that says something else. */
export type TestName = { plain: string | undefined; longName: string | undefined }

// A LOINC long name names the property in brackets ("[Mass/volume]"), the specimen ("in Serum or
// Plasma") or the method ("by Automated count"): what a laboratory needs, not what a patient calls the test.
const PROPERTY = /\s*\[[^\]]*\]/
const SPECIMEN_OR_METHOD =
  /\s+(?:(?:in|of)\s+(?:Serum or Plasma|Serum|Plasma|Blood|Urine|Capillary blood|Arterial blood|Venous blood|Cord blood|Cerebral spinal fluid|Body fluid|Stool|Saliva)|by\s+(?:Automated|Manual|Calculation|calculation|Estimated|Immunoassay|Test strip))\b.*$/
const RATIO_OF_TOTAL = /^(.+?)\/[^/]+\.total$/i

/**
 * Whether a test's name is written as a LOINC long name ("Glucose [Mass/volume] in Serum or
 * Plasma") rather than as people say it ("Glucose").
 *
 * @example
 * looksLikeLoincLongName('Hemoglobin A1c/Hemoglobin.total in Blood') // true
 * looksLikeLoincLongName('HbA1c') // false
 */
export function looksLikeLoincLongName(name: string): boolean {
  return PROPERTY.test(name) || SPECIMEN_OR_METHOD.test(name)
}

/**
 * The plain part of a LOINC long name: its component, without the property, specimen and method.
 *
 * @example
 * plainPartOfLoincName('Leukocytes [#/volume] in Blood by Automated count') // 'Leukocytes'
 * plainPartOfLoincName('Hemoglobin A1c/Hemoglobin.total in Blood') // 'Hemoglobin A1c'
 */
export function plainPartOfLoincName(name: string): string | undefined {
  const bracket = PROPERTY.exec(name)
  let component = (bracket ? name.slice(0, bracket.index) : name.replace(SPECIMEN_OR_METHOD, '')).trim()
  component = RATIO_OF_TOTAL.exec(component)?.[1]?.trim() ?? component
  return component || undefined
}

/**
 * A test's plain name, then its LOINC long name. The plain name is the code's text, else the
 * display of one of its codings, taking the first that is not written as a LOINC long name
 * (exports often copy the long name into the text); when every name is a long name, its plain
 * part. The long name is the LOINC coding's display, given only when it differs from the plain name.
 *
 * @example
 * testName({ text: 'HbA1c', coding: [{ system: 'http://loinc.org', code: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood' }] })
 * // { plain: 'HbA1c', longName: 'Hemoglobin A1c/Hemoglobin.total in Blood' }
 */
export function testName(concept: CodeableConcept | undefined): TestName {
  if (!concept) return { plain: undefined, longName: undefined }
  const codings = concept.coding ?? []
  const loinc = codings.find((c) => c.system === LOINC && c.display?.trim())
  const names = [concept.text, ...codings.filter((c) => c !== loinc).map((c) => c.display), loinc?.display]
    .map((n) => n?.trim())
    .filter((n): n is string => Boolean(n))
  const plain = names.find((n) => !looksLikeLoincLongName(n)) ?? names.map(plainPartOfLoincName).find(Boolean) ?? codeText(concept)
  const long = loinc?.display?.trim() ?? names.find(looksLikeLoincLongName)
  return { plain, longName: long && long.toLowerCase() !== plain?.toLowerCase() ? long : undefined }
}

/** Whether a result is within its normal range, or how far out of it, as the lab or the range says. */
export type ResultFlag = 'normal' | 'high' | 'low' | 'very-high' | 'very-low' | 'abnormal' | 'very-abnormal'

/** The flag in words: the one way CareKey marks a result (never by colour alone). */
export const RESULT_FLAG_WORDS: Readonly<Record<ResultFlag, string>> = {
  normal: 'Normal',
  high: 'High',
  low: 'Low',
  'very-high': 'Very high',
  'very-low': 'Very low',
  abnormal: 'Abnormal',
  'very-abnormal': 'Very abnormal',
}

const INTERPRETATION_SYSTEMS = new Set(['http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', 'http://hl7.org/fhir/v2/0078'])

/** HL7 observation interpretation codes (v3, and v2 table 0078 that older exports use). */
const INTERPRETATION_CODES: Readonly<Record<string, ResultFlag>> = {
  N: 'normal',
  H: 'high',
  L: 'low',
  HH: 'very-high',
  LL: 'very-low',
  HU: 'very-high',
  LU: 'very-low',
  'H>': 'very-high',
  'L<': 'very-low',
  A: 'abnormal',
  AA: 'very-abnormal',
}

/**
 * The flag an Observation's interpretation gives by its HL7 code (H, L, HH, LL, N, A, AA…).
 *
 * @example
 * interpretationFlag([{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'H' }] }]) // 'high'
 */
export function interpretationFlag(interpretation: readonly CodeableConcept[] | undefined): ResultFlag | undefined {
  for (const concept of interpretation ?? []) {
    for (const coding of concept.coding ?? []) {
      const code = coding.code?.trim()
      if (code === undefined || (coding.system !== undefined && !INTERPRETATION_SYSTEMS.has(coding.system))) continue
      const flag = INTERPRETATION_CODES[code]
      if (flag) return flag
    }
  }
  return undefined
}

/**
 * Whether two quantities are in the same unit: the same UCUM code when both have one, else the
 * same unit text; two quantities without any unit count as the same (a ratio, a pH).
 *
 * @example
 * sameUnit({ value: 92, unit: 'mg/dl', code: 'mg/dL' }, { value: 99, code: 'mg/dL' }) // true
 */
export function sameUnit(a: Quantity, b: Quantity): boolean {
  const aCode = a.code?.trim()
  const bCode = b.code?.trim()
  if (aCode && bCode) return aCode === bCode && (a.system === undefined || b.system === undefined || a.system === b.system)
  const aUnit = a.unit?.trim() || aCode
  const bUnit = b.unit?.trim() || bCode
  return aUnit === bUnit
}

/**
 * The range a value is compared with: the one normal range with bounds the result gives; none
 * when it gives several (per age or group) or only one of another meaning (a therapeutic range).
 *
 * @example
 * normalRange([{ low: { value: 4, unit: '%' }, high: { value: 5.6, unit: '%' } }]) // that range
 */
export function normalRange(ranges: readonly ObservationReferenceRange[] | undefined): ObservationReferenceRange | undefined {
  const candidates = (ranges ?? []).filter((r) => (r.low?.value !== undefined || r.high?.value !== undefined) && isNormalRange(r))
  return candidates.length === 1 ? candidates[0] : undefined
}

function isNormalRange(range: ObservationReferenceRange): boolean {
  // `type` is not checked at import: read with care. A range of another meaning (therapeutic,
  // a treatment target) is not the normal range.
  const type: unknown = Reflect.get(range, 'type')
  if (type === undefined) return true
  return isConcept(type) && (type.coding ?? []).some((c) => c.code === 'normal')
}

/**
 * Whether a value is below, within or above a range in the same unit; undefined when they cannot
 * be compared (another unit, a value given as "< 5", no bound on the side that matters).
 *
 * @example
 * rangeFlag({ value: 6.9, unit: '%' }, { low: { value: 4, unit: '%' }, high: { value: 5.6, unit: '%' } }) // 'high'
 */
export function rangeFlag(value: Quantity | undefined, range: ObservationReferenceRange | undefined): 'low' | 'normal' | 'high' | undefined {
  if (value?.value === undefined || value.comparator !== undefined || !range) return undefined
  const { low, high } = range
  if (low?.value !== undefined && !sameUnit(value, low)) return undefined
  if (high?.value !== undefined && !sameUnit(value, high)) return undefined
  if (low?.value !== undefined && value.value < low.value) return 'low'
  if (high?.value !== undefined && value.value > high.value) return 'high'
  if (low?.value !== undefined && high?.value !== undefined) return 'normal'
  return undefined
}

/** A result's flag, and whether the lab gave it or CareKey compared the value with the range. */
export type ResultMark = { flag: ResultFlag; from: 'lab' | 'range' }

/**
 * How a result compares with normal: the lab's interpretation code when it gives one, else the
 * value compared with its normal range (same unit only).
 *
 * @example
 * resultMark({ valueQuantity: { value: 3.1, unit: 'mmol/L' }, referenceRange: [{ low: { value: 3.5, unit: 'mmol/L' }, high: { value: 5.1, unit: 'mmol/L' } }] })
 * // { flag: 'low', from: 'range' }
 */
export function resultMark(result: {
  valueQuantity?: Quantity
  interpretation?: CodeableConcept[]
  referenceRange?: ObservationReferenceRange[]
}): ResultMark | undefined {
  const lab = interpretationFlag(result.interpretation)
  if (lab) return { flag: lab, from: 'lab' }
  const computed = rangeFlag(result.valueQuantity, normalRange(result.referenceRange))
  return computed ? { flag: computed, from: 'range' } : undefined
}

/**
 * The normal ranges a result gives, in words: each range's text, else its bounds ("4–5.6 %").
 *
 * @example
 * referenceRangesText([{ low: { value: 4, unit: '%' }, high: { value: 5.6, unit: '%' } }]) // '4–5.6 %'
 */
export function referenceRangesText(ranges: readonly ObservationReferenceRange[] | undefined): string | undefined {
  return (
    (ranges ?? [])
      .map((r) => r.text?.trim() || rangeText(r))
      .filter(Boolean)
      .join('; ') || undefined
  )
}
