import { momentText, type MomentTextOptions } from '../dateText.ts'
import { fromUnixSeconds } from './terms.ts'

/**
 * A moment of a grant (unix seconds: its start or end) as the record timeline shows dates, with
 * the time: a grant's end matters to the minute.
 *
 * @example
 * dateTimeText(terms.validUntil) // '27 Nov 2026, 10:00'
 */
export function dateTimeText(seconds: bigint | number, options: MomentTextOptions = {}): string {
  return momentText(fromUnixSeconds(BigInt(seconds)), options)
}
