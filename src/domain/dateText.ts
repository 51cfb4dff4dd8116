/**
 * Moments (a grant's end, an open in the access log, when a QR code was made) in words, the
 * way the record timeline shows dates ("2 Oct 2024", "2 Oct 2024, 08:30"): never an ISO string.
 * The same locale and options as `formatFhirDate` in `domain/fhir/display.ts`.
 */

export type MomentTextOptions = { locale?: string; timeZone?: string }

/** A moment: a Date, or unix milliseconds. */
export type Moment = Date | number

const DEFAULT_LOCALE = 'en-GB'

const DAY: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short', year: 'numeric' }
const TIME: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit' }

// Building an Intl formatter costs far more than using one: the access log formats many moments.
const formatters = new Map<string, Intl.DateTimeFormat>()
function format(moment: Moment, options: Intl.DateTimeFormatOptions, given: MomentTextOptions): string {
  const locale = given.locale ?? DEFAULT_LOCALE
  const key = `${locale}|${given.timeZone ?? ''}|${JSON.stringify(options)}`
  let formatter = formatters.get(key)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale, { ...options, timeZone: given.timeZone })
    formatters.set(key, formatter)
  }
  return formatter.format(moment)
}

/**
 * The day of a moment: '2 Oct 2024'.
 *
 * @example
 * dayText(Date.UTC(2024, 9, 2, 8, 30), { timeZone: 'UTC' }) // '2 Oct 2024'
 */
export function dayText(moment: Moment, options: MomentTextOptions = {}): string {
  return format(moment, DAY, options)
}

/**
 * The time of day of a moment: '08:30'.
 *
 * @example
 * timeText(Date.UTC(2024, 9, 2, 8, 30), { timeZone: 'UTC' }) // '08:30'
 */
export function timeText(moment: Moment, options: MomentTextOptions = {}): string {
  return format(moment, TIME, options)
}

/**
 * The time of day to the second, for a value read moments ago: '08:30:05'.
 *
 * @example
 * clockText(Date.UTC(2024, 9, 2, 8, 30, 5), { timeZone: 'UTC' }) // '08:30:05'
 */
export function clockText(moment: Moment, options: MomentTextOptions = {}): string {
  return format(moment, { ...TIME, second: '2-digit' }, options)
}

/**
 * A moment with its day and time: '2 Oct 2024, 08:30'.
 *
 * @example
 * momentText(Date.UTC(2024, 9, 2, 8, 30), { timeZone: 'UTC' }) // '2 Oct 2024, 08:30'
 */
export function momentText(moment: Moment, options: MomentTextOptions = {}): string {
  return format(moment, { ...DAY, ...TIME }, options)
}

/**
 * From one moment to another, in two parts, the day said once when both fall on it:
 * { start: '2 Oct 2024, 10:02', end: '10:04' }, { start: '2 Oct 2024, 23:58', end: '3 Oct 2024, 00:01' };
 * no end when both are the same minute.
 *
 * @example
 * momentRangeParts(Date.UTC(2024, 9, 2, 10, 2), Date.UTC(2024, 9, 2, 10, 4), { timeZone: 'UTC' }) // { start: '2 Oct 2024, 10:02', end: '10:04' }
 */
export function momentRangeParts(from: Moment, to: Moment, options: MomentTextOptions = {}): { start: string; end: string | undefined } {
  const start = momentText(from, options)
  const end = momentText(to, options)
  if (start === end) return { start, end: undefined }
  return { start, end: dayText(from, options) === dayText(to, options) ? timeText(to, options) : end }
}

/**
 * From one moment to another in words: '2 Oct 2024, 10:02 to 10:04', '2 Oct 2024, 23:58 to
 * 3 Oct 2024, 00:01'; one moment alone when they are the same minute.
 *
 * @example
 * momentRangeText(Date.UTC(2024, 9, 2, 10, 2), Date.UTC(2024, 9, 2, 10, 4), { timeZone: 'UTC' }) // '2 Oct 2024, 10:02 to 10:04'
 */
export function momentRangeText(from: Moment, to: Moment, options: MomentTextOptions = {}): string {
  const { start, end } = momentRangeParts(from, to, options)
  return end === undefined ? start : `${start} to ${end}`
}
