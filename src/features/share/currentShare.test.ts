import { describe, expect, it } from 'vitest'
import type { StoredConsent } from '../../storage/consentsRepository.ts'
import type { StoredShare } from '../../storage/sharesRepository.ts'
import { currentShare } from './currentShare.ts'

const now = new Date('2026-11-26T10:00:00Z')
const tomorrow = BigInt(Date.parse('2026-11-27T10:00:00Z') / 1000)
const yesterday = BigInt(Date.parse('2026-11-25T10:00:00Z') / 1000)

const consent = (id: string, overrides: Partial<StoredConsent> = {}, validUntil = tomorrow) =>
  ({ id, state: 'recorded', revokeTx: undefined, terms: { validUntil }, ...overrides }) as unknown as StoredConsent
const share = (id: string, consentId: string, createdAt: number, state: StoredShare['state'] = 'uploaded') =>
  ({ id, consentId, createdAt, state }) as unknown as StoredShare

describe('the consent QR code "Show my consent QR" opens', () => {
  it('is the newest one that can still open', () => {
    const consents = new Map([
      ['a', consent('a')],
      ['b', consent('b')],
    ])
    expect(currentShare([share('old', 'a', 1), share('new', 'b', 2)], consents, now)?.id).toBe('new')
  })

  it('skips stopped, revoked, ended, never sent and refused ones', () => {
    const consents = new Map([
      ['stopped', consent('stopped')],
      ['revoked', consent('revoked', { revokeTx: { hash: '0x1', blockNumber: 1n } })],
      ['ended', consent('ended', {}, yesterday)],
      ['signing', consent('signing', { state: 'signing' })],
      ['failed', consent('failed', { state: 'failed' })],
      ['waiting', consent('waiting', { state: 'submitted' })],
    ])
    const shares = [
      share('s-stopped', 'stopped', 6, 'stopped'),
      share('s-revoked', 'revoked', 5),
      share('s-ended', 'ended', 4),
      share('s-signing', 'signing', 3, 'prepared'),
      share('s-failed', 'failed', 2, 'prepared'),
      share('s-waiting', 'waiting', 1, 'prepared'),
    ]
    expect(currentShare(shares, consents, now)?.id).toBe('s-waiting')
    expect(currentShare(shares.slice(0, 5), consents, now)).toBeUndefined()
  })
})
