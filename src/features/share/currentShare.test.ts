import { describe, expect, it } from 'vitest'
import type { StoredShare } from '../../storage/sharesRepository.ts'
import { storedConsentFixture, storedShareFixture, type StoredConsentFixture } from '../../test/consentFixtures.ts'
import { currentShare } from './currentShare.ts'

const now = new Date('2026-11-26T10:00:00Z')

const consent = (id: string, fixture: StoredConsentFixture = {}) => storedConsentFixture({ id, grantedAt: now, ...fixture })
const share = (id: string, consentId: string, createdAt: number, state: StoredShare['state'] = 'uploaded') =>
  storedShareFixture({ id, consentId, createdAt, state })

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
      ['revoked', consent('revoked', { revokeTx: { hash: `0x${'ab'.repeat(32)}`, blockNumber: 1n } })],
      ['ended', consent('ended', { grantedAt: new Date('2026-11-24T10:00:00Z'), validUntil: new Date('2026-11-25T10:00:00Z') })],
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
