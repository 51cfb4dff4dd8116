import { fromUnixSeconds } from './terms.ts'

/**
 * A moment of a grant (unix seconds: its start or end) as a date and time in the reader's locale.
 *
 * @example
 * dateTimeText(terms.validUntil) // '27 Nov 2026, 10:00'
 */
export function dateTimeText(seconds: bigint | number): string {
  return fromUnixSeconds(BigInt(seconds)).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}
