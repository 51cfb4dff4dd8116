import { describe, expect, it } from 'vitest'
import { consentStatusView, type StatusInput } from './statusView.ts'

const now = new Date('2026-11-26T10:00:00Z')
const later = BigInt(Date.parse('2026-11-27T10:00:00Z') / 1000)
const earlier = BigInt(Date.parse('2026-11-26T09:00:00Z') / 1000)
const view = (input: Partial<StatusInput>) => consentStatusView({ state: 'recorded', chain: 'active', validUntil: later, now, readFailed: false, ...input })

describe('what a grant’s status tells the patient', () => {
  it('is active only when the chain says so', () => {
    expect(view({}).kind).toBe('active')
    expect(view({}).revocable).toBe(true)
    for (const state of ['signing', 'submitted', 'recorded'] as const) expect(view({ state, chain: undefined }).kind).not.toBe('active')
    expect(view({ chain: undefined, readFailed: true }).kind).toBe('unreadable')
    expect(view({ chain: undefined }).kind).toBe('checking')
  })

  it('shows a last known "active" whose end has passed as expired', () => {
    expect(view({ validUntil: earlier, readFailed: true }).kind).toBe('expired')
  })

  it('follows the chain for revoked, expired and not started', () => {
    expect(view({ chain: 'revoked' })).toMatchObject({ kind: 'revoked', label: 'Revoked', revocable: false })
    expect(view({ chain: 'expired' })).toMatchObject({ kind: 'expired', revocable: false })
    expect(view({ chain: 'pending' })).toMatchObject({ kind: 'starts-later', revocable: true })
  })

  it('explains a grant the chain does not know from where it is on this device', () => {
    expect(view({ state: 'submitted', chain: 'unknown' })).toMatchObject({ kind: 'confirming', label: 'Pending' })
    expect(view({ state: 'signing', chain: 'unknown' }).kind).toBe('not-recorded')
    expect(view({ state: 'failed', chain: undefined }).kind).toBe('not-recorded')
    expect(view({ state: 'recorded', chain: 'unknown' })).toMatchObject({ kind: 'unknown', label: 'Unknown' })
  })

  it('writes the end the way the record timeline writes dates, never as ISO', () => {
    expect(view({ chain: 'expired', validUntil: earlier }).description).toMatch(/^This consent ended on \d{1,2} Nov 2026, \d{2}:\d{2}\.$/)
    expect(view({}).description).toMatch(/active until \d{1,2} Nov 2026, \d{2}:\d{2}\.$/)
  })
})
