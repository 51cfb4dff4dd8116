import { describe, expect, it } from 'vitest'
import { newBearerSecret, type GranteeChoice } from '../../domain/consent/index.ts'
import { decodeShlink, MAX_URL_LENGTH, newShareId, newShareKey, readCareKeyExtension, urlEntropyBits } from '../../domain/shl/index.ts'
import type { StoredConsent } from '../../storage/consentsRepository.ts'
import type { StoredShare } from '../../storage/sharesRepository.ts'
import { FIXTURE_LOCATION, storedConsentFixture, storedShareFixture } from '../../test/consentFixtures.ts'
import { consentQrLink } from './link.ts'

function fixture(grantee: GranteeChoice, passcode?: string): { consent: StoredConsent; share: StoredShare } {
  const consent = storedConsentFixture({ grantee, shareId: 's-1' })
  const share = storedShareFixture({
    hostShareId: newShareId(),
    // The longest share host URL the host allows (80 characters).
    hostUrl: `https://${'s'.repeat(60)}.example.org`,
    key: newShareKey(),
    passcode,
    flags: passcode ? ['L', 'P'] : ['L'],
  })
  return { consent, share }
}

describe('the consent QR link', () => {
  it('is the viewer URL with a SMART Health Link that any viewer can read, and CareKey’s terms in _ck', () => {
    const { consent, share } = fixture({ kind: 'address', address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' }, '2468')
    const link = consentQrLink(share, consent, 'https://carekey.example.org/')
    expect(link.startsWith('https://carekey.example.org/view#shlink:/')).toBe(true)
    const { payload, viewerUrl } = decodeShlink(link)
    expect(viewerUrl).toBe('https://carekey.example.org/view')
    expect(payload.url).toBe(`${share.hostUrl}/shl/${share.hostShareId}`)
    expect(payload.url.length).toBeLessThanOrEqual(MAX_URL_LENGTH)
    expect(urlEntropyBits(new URL(payload.url))).toBeGreaterThanOrEqual(256)
    expect(payload).toMatchObject({ key: share.key, exp: Number(consent.terms.validUntil), flags: ['L', 'P'], label: 'CareKey shared records' })
    expect(readCareKeyExtension(payload)).toEqual({ chainId: 31337, registry: FIXTURE_LOCATION.registry, terms: consent.terms })
  })

  it('carries the bearer secret for "whoever I show this QR to", and no P without a passcode', () => {
    const secret = newBearerSecret()
    const { consent, share } = fixture({ kind: 'bearer', secret })
    const { payload } = decodeShlink(consentQrLink(share, consent, 'http://localhost:4173'))
    expect(payload.flags).toEqual(['L'])
    expect(readCareKeyExtension(payload)?.bearerSecret).toBe(secret)
  })

  it('never puts the passcode in the link', () => {
    const { consent, share } = fixture({ kind: 'address', address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' }, 'tulip-7781')
    expect(consentQrLink(share, consent, 'http://localhost:4173')).not.toContain('tulip')
    expect(JSON.stringify(decodeShlink(consentQrLink(share, consent, 'http://localhost:4173')).payload)).not.toContain('tulip')
  })
})
