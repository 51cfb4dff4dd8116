import type { Annotation, CodeableConcept, Coding, HumanName, Period, Quantity, Range, Reference } from '@medplum/fhirtypes'

/**
 * Turning FHIR R4 data types into words for people. Everything returns plain strings, which
 * the UI renders as text (never as HTML), so markup in imported data stays inert.
 */

export type DateDisplayOptions = { locale?: string; timeZone?: string }

const DEFAULT_LOCALE = 'en-GB'

/**
 * The name of a coded concept: its text, else the first coding's display, else its code.
 *
 * @example
 * codeText({ coding: [{ system: 'http://loinc.org', code: '4548-4', display: 'Hemoglobin A1c' }] }) // 'Hemoglobin A1c'
 */
export function codeText(concept: CodeableConcept | undefined): string | undefined {
  if (!concept) return undefined
  const text = concept.text?.trim()
  if (text) return text
  const codings = concept.coding ?? []
  return codings.map((c) => c.display?.trim()).find(Boolean) ?? codings.map((c) => c.code?.trim()).find(Boolean)
}

/** A coding's display, else its code. */
export function codingText(coding: Coding | undefined): string | undefined {
  return coding?.display?.trim() || coding?.code?.trim() || undefined
}

/** Every code of a concept as "system|code", for search and de-duplication. */
export function codeKeys(concept: CodeableConcept | undefined): string[] {
  return (concept?.coding ?? []).filter((c) => c.code).map((c) => `${c.system ?? ''}|${c.code ?? ''}`)
}

/**
 * A value with its unit: "5.6 %", "< 0.5 mg/L", "72 /min". Keeps the value's precision as given.
 *
 * @example
 * quantityText({ value: 5.6, unit: '%' }) // '5.6 %'
 */
export function quantityText(quantity: Quantity | undefined): string | undefined {
  if (!quantity || quantity.value === undefined) return undefined
  const unit = quantity.unit?.trim() || quantity.code?.trim()
  return [quantity.comparator, String(quantity.value), unit].filter(Boolean).join(' ')
}

/** "4.0–5.6 %", "≥ 40 mg/dL", "≤ 5.6 %". */
export function rangeText(range: Range | undefined): string | undefined {
  const low = range?.low?.value
  const high = range?.high?.value
  const unit = range?.high?.unit ?? range?.low?.unit ?? range?.high?.code ?? range?.low?.code
  const suffix = unit ? ` ${unit}` : ''
  if (low !== undefined && high !== undefined) return `${low}–${high}${suffix}`
  if (low !== undefined) return `≥ ${low}${suffix}`
  if (high !== undefined) return `≤ ${high}${suffix}`
  return undefined
}

/** Who or what a reference points to, when the record says so in words. */
export function referenceText(reference: Reference | undefined): string | undefined {
  return reference?.display?.trim() || undefined
}

/** "Dr Ana Lima" from a FHIR HumanName. */
export function humanNameText(name: HumanName | undefined): string | undefined {
  if (!name) return undefined
  if (name.text?.trim()) return name.text.trim()
  const parts = [...(name.prefix ?? []), ...(name.given ?? []), name.family, ...(name.suffix ?? [])].filter(Boolean)
  return parts.length ? parts.join(' ') : undefined
}

/** Annotation texts, one per note. */
export function annotationTexts(notes: Annotation[] | undefined): string[] {
  return (notes ?? []).map((n) => n.text.trim()).filter(Boolean)
}

const DATE_ONLY = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/

// Building an Intl formatter costs far more than using one: the timeline formats hundreds of dates.
const formatters = new Map<string, Intl.DateTimeFormat>()
function formatter(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`
  let cached = formatters.get(key)
  if (!cached) {
    cached = new Intl.DateTimeFormat(locale, options)
    formatters.set(key, cached)
  }
  return cached
}

/**
 * A FHIR date or dateTime for people. Partial dates stay partial ("2019", "March 2019"); a
 * day is shown as it was recorded (no time zone shift); a date-time in the viewer's time zone.
 *
 * @example
 * formatFhirDate('2024-03-12') // '12 Mar 2024'
 * formatFhirDate('2024-03') // 'March 2024'
 * formatFhirDate('2024-03-12T14:05:00Z', { timeZone: 'UTC' }) // '12 Mar 2024, 14:05'
 */
export function formatFhirDate(value: string | undefined, options: DateDisplayOptions = {}): string | undefined {
  if (!value) return undefined
  const locale = options.locale ?? DEFAULT_LOCALE
  const dateOnly = DATE_ONLY.exec(value)
  if (dateOnly) {
    const [, year, month, day] = dateOnly
    if (!month) return year
    const utc = new Date(Date.UTC(Number(year), Number(month) - 1, day ? Number(day) : 1))
    return day
      ? formatter(locale, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(utc)
      : formatter(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(utc)
  }
  const time = Date.parse(value)
  if (Number.isNaN(time)) return value
  return formatter(locale, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: options.timeZone,
  }).format(new Date(time))
}

/** "12 Mar 2024 – 3 Apr 2024", "from 12 Mar 2024". */
export function periodText(period: Period | undefined, options: DateDisplayOptions = {}): string | undefined {
  const start = formatFhirDate(period?.start, options)
  const end = formatFhirDate(period?.end, options)
  if (start && end) return `${start} – ${end}`
  if (start) return `from ${start}`
  if (end) return `until ${end}`
  return undefined
}

/**
 * Milliseconds since 1970 for ordering records by a FHIR date; partial dates count from their
 * start. NaN when there is no usable date.
 *
 * @example
 * fhirDateSortKey('2024') === Date.UTC(2024, 0, 1) // true
 */
export function fhirDateSortKey(value: string | undefined): number {
  if (!value) return Number.NaN
  const dateOnly = DATE_ONLY.exec(value)
  if (dateOnly) {
    const [, year, month, day] = dateOnly
    return Date.UTC(Number(year), month ? Number(month) - 1 : 0, day ? Number(day) : 1)
  }
  return Date.parse(value)
}

/**
 * The calendar day a record belongs to in the timeline ("2024-03-12"), or its month or year
 * when the date is partial. A date-time falls on its day in the viewer's time zone.
 */
export function fhirDayKey(value: string | undefined, options: DateDisplayOptions = {}): string | undefined {
  if (!value) return undefined
  if (DATE_ONLY.test(value)) return value
  const time = Date.parse(value)
  if (Number.isNaN(time)) return undefined
  const parts = formatter('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: options.timeZone }).formatToParts(new Date(time))
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  return `${get('year')}-${get('month')}-${get('day')}`
}

/** "Care plan" from "CarePlan": a resource type in words, for records shown generically. */
export function resourceTypeText(resourceType: string): string {
  const words = resourceType.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/** A FHIR code ("entered-in-error") in words ("Entered in error"). */
export function codeWords(code: string | undefined): string | undefined {
  if (!code) return undefined
  const words = code.replace(/[-_]/g, ' ')
  return words.charAt(0).toUpperCase() + words.slice(1)
}
