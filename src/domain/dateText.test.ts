import { describe, expect, it } from 'vitest'
import { dateTimeText } from './consent/dateTimeText.ts'
import { clockText, dayText, momentRangeText, momentText, timeText } from './dateText.ts'
import { formatFhirDate } from './fhir/display.ts'

const utc = { timeZone: 'UTC' }
const at = (hours: number, minutes: number, day = 2) => Date.UTC(2024, 9, day, hours, minutes)

describe('moments in words', () => {
  it('writes a day, a time and both the way the record timeline does, never as ISO', () => {
    expect(dayText(at(8, 30), utc)).toBe('2 Oct 2024')
    expect(timeText(at(8, 30), utc)).toBe('08:30')
    expect(clockText(at(8, 30) + 5_000, utc)).toBe('08:30:05')
    expect(momentText(at(8, 30), utc)).toBe('2 Oct 2024, 08:30')
    expect(momentText(new Date(at(8, 30)), utc)).toBe(formatFhirDate('2024-10-02T08:30:00Z', utc))
    expect(momentText(at(8, 30), utc)).not.toMatch(/2024-10-02|T08/)
  })

  it('writes a grant’s end (unix seconds) with its time', () => {
    expect(dateTimeText(BigInt(at(10, 0) / 1000), utc)).toBe('2 Oct 2024, 10:00')
    expect(dateTimeText(at(23, 59) / 1000, utc)).toBe('2 Oct 2024, 23:59')
  })

  it('says the day of a range once when both ends fall on it', () => {
    expect(momentRangeText(at(10, 2), at(10, 4), utc)).toBe('2 Oct 2024, 10:02 to 10:04')
    expect(momentRangeText(at(23, 58), at(0, 1, 3), utc)).toBe('2 Oct 2024, 23:58 to 3 Oct 2024, 00:01')
    expect(momentRangeText(at(10, 2), at(10, 2) + 20_000, utc)).toBe('2 Oct 2024, 10:02')
  })

  it('follows the time zone it is given', () => {
    expect(momentText(at(23, 30), { timeZone: 'Asia/Tokyo' })).toBe('3 Oct 2024, 08:30')
  })
})
