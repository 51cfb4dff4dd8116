// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { accessLogReplySchema, manifestUrlFor, newShareId, type ShareAccessLog } from '../../domain/shl/index.ts'
import { AccessLog } from './AccessLog.tsx'

afterEach(cleanup)

const id = newShareId()
/** A host's reply, read through the same schema the app reads replies with. */
function reply(entries: unknown[], dropped?: number): ShareAccessLog {
  return accessLogReplySchema.parse({
    share: {
      id,
      manifestUrl: manifestUrlFor('https://share.example', id),
      patient: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
      commitment: `0x${'ab'.repeat(32)}`,
      status: 'active',
      createdAt: '2026-12-01T10:00:00.000Z',
      updatedAt: '2026-12-01T10:00:00.000Z',
      passcode: { required: true, remainingAttempts: 7 },
      files: [],
    },
    entries,
    ...(dropped !== undefined && { dropped }),
  })
}

const show = (log: ShareAccessLog) =>
  render(<AccessLog log={log} readAt={Date.now()} error={undefined} polling={false} refreshing={false} onRefresh={() => undefined} />)

describe('the access log', () => {
  it('shows repeated wrong passcodes as one entry with their number and time range, newest entry first', () => {
    show(
      reply([
        { at: '2026-12-01T10:01:00.000Z', recipient: 'Dr. Grey', outcome: 'opened' },
        { at: '2026-12-01T10:02:00.000Z', recipient: 'Mallory', outcome: 'wrong-passcode', count: 3, lastAt: '2026-12-01T10:04:00.000Z' },
      ]),
    )
    const entries = screen.getAllByTestId('access-entry')
    expect(entries.map((e) => e.textContent)).toEqual([expect.stringContaining('3 wrong passcodes, as Mallory'), expect.stringContaining('Dr. Grey opened it')])
    const times = entries[0]?.querySelectorAll('time') ?? []
    expect([...times].map((t) => t.getAttribute('datetime'))).toEqual(['2026-12-01T10:02:00.000Z', '2026-12-01T10:04:00.000Z'])
    // The day once, then the end's time alone: never an ISO string.
    expect(entries[0]?.textContent).toMatch(/\d{1,2} Dec 2026, \d{2}:02 to \d{2}:04/)
    expect(entries[0]?.textContent).not.toContain('2026-12-01')
    expect(screen.getByTestId('access-summary').textContent).toBe('Opened once.')
    expect(screen.queryByTestId('access-dropped')).toBeNull()
  })

  it('groups what the host left apart: the same clinician opening it again and again, and wrong passcodes under changing names', () => {
    show(
      reply([
        { at: '2026-12-01T10:01:00.000Z', recipient: 'Dr. Grey', outcome: 'opened' },
        { at: '2026-12-01T10:03:00.000Z', recipient: 'Dr. Grey', outcome: 'opened' },
        { at: '2026-12-01T10:05:00.000Z', recipient: 'Mallory', outcome: 'wrong-passcode' },
        { at: '2026-12-01T10:06:00.000Z', recipient: 'Eve', outcome: 'wrong-passcode' },
      ]),
    )
    const entries = screen.getAllByTestId('access-entry')
    expect(entries.map((e) => e.querySelector('p')?.textContent)).toEqual(['2 wrong passcodes, as Mallory and Eve', 'Dr. Grey opened it 2 times'])
    expect(screen.getByTestId('access-summary').textContent).toBe('Opened 2 times.')
  })

  it('says how many older entries the host dropped, and that the count is of recent opens', () => {
    show(reply([{ at: '2026-12-01T10:01:00.000Z', recipient: 'Dr. Grey', outcome: 'opened' }], 42))
    expect(screen.getByTestId('access-dropped').textContent).toMatch(/^42 older entries are no longer kept/)
    expect(screen.getByTestId('access-summary').textContent).toBe('Opened once recently.')
  })

  it('reads a reply from a host that does not say what it dropped as nothing dropped', () => {
    expect(reply([]).dropped).toBe(0)
  })
})
