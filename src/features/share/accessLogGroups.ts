import type { Address } from 'viem'
import type { AccessLogEntry } from '../../domain/shl/index.ts'

/** Events further apart than this are told apart, even when they repeat. */
export const REPEAT_WINDOW_MS = 60 * 60_000

/**
 * Repeated events of the access log as one: the same person opening it again and again, or
 * wrong passcodes in a row (under any names: someone guessing may change theirs).
 */
export type AccessLogGroup = {
  outcome: AccessLogEntry['outcome']
  /** The names given, each once, in the order first seen. */
  recipients: string[]
  /** The account the opener proved (the same for every open of the group). */
  verifiedAddress: Address | undefined
  /** How many events. */
  count: number
  /** ISO times of the first and the last event. */
  firstAt: string
  lastAt: string
}

/**
 * Groups the access log (oldest first, as the host sends it) into runs of repeated events,
 * newest group first: wrong passcodes in a row, and opens in a row by the same name and proved
 * account, each no more than REPEAT_WINDOW_MS after the one before. Entries the host already
 * grouped (`count`, `lastAt`) count as that many events over that time.
 *
 * @example
 * groupAccessLog(log.entries)[0] // { outcome: 'wrong-passcode', recipients: ['Mallory'], count: 3, firstAt: '…10:02…', lastAt: '…10:04…' }
 */
export function groupAccessLog(entries: readonly AccessLogEntry[]): AccessLogGroup[] {
  const groups: AccessLogGroup[] = []
  for (const entry of entries) {
    const lastAt = entry.lastAt ?? entry.at
    const count = entry.count ?? 1
    const current = groups[groups.length - 1]
    if (current && repeats(current, entry)) {
      if (!current.recipients.includes(entry.recipient)) current.recipients.push(entry.recipient)
      current.count += count
      current.lastAt = lastAt
      continue
    }
    groups.push({ outcome: entry.outcome, recipients: [entry.recipient], verifiedAddress: entry.verifiedAddress, count, firstAt: entry.at, lastAt })
  }
  return groups.reverse()
}

function repeats(group: AccessLogGroup, entry: AccessLogEntry): boolean {
  if (group.outcome !== entry.outcome) return false
  if (Date.parse(entry.at) - Date.parse(group.lastAt) > REPEAT_WINDOW_MS) return false
  if (entry.outcome === 'wrong-passcode') return true
  return group.recipients[0] === entry.recipient && group.verifiedAddress === entry.verifiedAddress
}

/**
 * What a group says happened, in words: 'Dr. Grey opened it', 'Dr. Grey opened it 3 times',
 * 'Mallory tried a wrong passcode', '3 wrong passcodes, as Mallory and Eve'.
 *
 * @example
 * accessGroupText({ outcome: 'wrong-passcode', recipients: ['Mallory'], count: 3, … }) // '3 wrong passcodes, as Mallory'
 */
export function accessGroupText(group: Pick<AccessLogGroup, 'outcome' | 'recipients' | 'count'>): string {
  const names = listNames(group.recipients)
  if (group.outcome === 'opened') return group.count === 1 ? `${names} opened it` : `${names} opened it ${group.count} times`
  return group.count === 1 ? `${names} tried a wrong passcode` : `${group.count} wrong passcodes, as ${names}`
}

/** 'A', 'A and B', 'A, B and C'. */
function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? ''
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1] ?? ''}`
}
