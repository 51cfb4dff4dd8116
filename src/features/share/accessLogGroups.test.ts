import { describe, expect, it } from 'vitest'
import type { AccessLogEntry } from '../../domain/shl/index.ts'
import { accessGroupText, groupAccessLog, REPEAT_WINDOW_MS } from './accessLogGroups.ts'

const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 10, minute)).toISOString()
const opened = (minute: number, recipient = 'Dr. Grey', verifiedAddress?: `0x${string}`): AccessLogEntry => ({
  at: at(minute),
  recipient,
  outcome: 'opened',
  ...(verifiedAddress && { verifiedAddress }),
})
const wrong = (minute: number, recipient = 'Mallory'): AccessLogEntry => ({ at: at(minute), recipient, outcome: 'wrong-passcode' })
const clinic = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'

describe('grouping the access log', () => {
  it('makes wrong passcodes in a row one entry with their number and time range, under any names, newest group first', () => {
    const groups = groupAccessLog([opened(1), wrong(2), wrong(3, 'Eve'), wrong(4)])
    expect(groups).toEqual([
      { outcome: 'wrong-passcode', recipients: ['Mallory', 'Eve'], verifiedAddress: undefined, count: 3, firstAt: at(2), lastAt: at(4) },
      { outcome: 'opened', recipients: ['Dr. Grey'], verifiedAddress: undefined, count: 1, firstAt: at(1), lastAt: at(1) },
    ])
    expect(groups.map(accessGroupText)).toEqual(['3 wrong passcodes, as Mallory and Eve', 'Dr. Grey opened it'])
  })

  it('counts an entry the host already grouped as its number of events over its time', () => {
    const fromHost: AccessLogEntry = { at: at(2), recipient: 'Mallory', outcome: 'wrong-passcode', count: 3, lastAt: at(4) }
    const [group] = groupAccessLog([fromHost, wrong(5, 'Eve')])
    expect(group).toMatchObject({ count: 4, firstAt: at(2), lastAt: at(5), recipients: ['Mallory', 'Eve'] })
    expect(groupAccessLog([fromHost]).map(accessGroupText)).toEqual(['3 wrong passcodes, as Mallory'])
  })

  it('makes opens in a row by the same person one entry, and keeps different people, proofs and outcomes apart', () => {
    expect(groupAccessLog([opened(1), opened(2), opened(3)]).map(accessGroupText)).toEqual(['Dr. Grey opened it 3 times'])
    expect(groupAccessLog([opened(1), opened(2, 'Dr. Lee'), opened(3)])).toHaveLength(3)
    expect(groupAccessLog([opened(1), opened(2, 'Dr. Grey', clinic)])).toHaveLength(2)
    expect(groupAccessLog([opened(1, 'Dr. Grey', clinic), opened(2, 'Dr. Grey', clinic)])).toEqual([
      { outcome: 'opened', recipients: ['Dr. Grey'], verifiedAddress: clinic, count: 2, firstAt: at(1), lastAt: at(2) },
    ])
    expect(groupAccessLog([wrong(1), opened(2), wrong(3)])).toHaveLength(3)
  })

  it('keeps repeats far apart in time apart', () => {
    const later = new Date(Date.parse(at(1)) + REPEAT_WINDOW_MS + 60_000).toISOString()
    expect(groupAccessLog([wrong(1), { ...wrong(0), at: later }])).toHaveLength(2)
    expect(groupAccessLog([opened(1), { ...opened(0), at: later }])).toHaveLength(2)
  })

  it('says a single event as one', () => {
    expect(accessGroupText({ outcome: 'wrong-passcode', recipients: ['Dr. Guess'], count: 1 })).toBe('Dr. Guess tried a wrong passcode')
    expect(groupAccessLog([])).toEqual([])
  })
})
