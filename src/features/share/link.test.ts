import { create } from 'qrcode'
import { describe, expect, it } from 'vitest'
import { newBearerSecret, type GranteeChoice } from '../../domain/consent/index.ts'
import { decodeShlink, encryptShareGrant, MAX_URL_LENGTH, newShareId, newShareKey, readCareKeyExtension, urlEntropyBits } from '../../domain/shl/index.ts'
import type { StoredConsent } from '../../storage/consentsRepository.ts'
import type { StoredShare } from '../../storage/sharesRepository.ts'
import { FIXTURE_LOCATION, storedConsentFixture, storedShareFixture } from '../../test/consentFixtures.ts'
import { consentQrLink } from './link.ts'

const ADDRESS_GRANTEE: GranteeChoice = { kind: 'address', address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' }
const LONG_LABEL = 'Allergies, medications and lab results for Dr. Ada Lovelace at Riverside Clinic'

/** A consent and its share; `grantAtHost` for a share made today (its grant uploaded beside it), else one made before. */
async function fixture(
  grantee: GranteeChoice,
  options: { passcode?: string; grantAtHost: boolean; hostUrl?: string; label?: string },
): Promise<{ consent: StoredConsent; share: StoredShare }> {
  const consent = storedConsentFixture({ grantee, shareId: 's-1' })
  const key = newShareKey()
  const label = options.label ?? 'CareKey shared records'
  const grant = {
    chainId: consent.chainId,
    registry: consent.registry,
    terms: consent.terms,
    ...(grantee.kind === 'bearer' && { bearerSecret: grantee.secret }),
    label,
  }
  const share = storedShareFixture({
    hostShareId: newShareId(),
    // The longest share host URL the host allows (80 characters), unless given.
    hostUrl: options.hostUrl ?? `https://${'s'.repeat(60)}.example.org`,
    key,
    passcode: options.passcode,
    label,
    flags: options.passcode ? ['L', 'P'] : ['L'],
    grant: options.grantAtHost ? await encryptShareGrant(grant, key) : undefined,
  })
  return { consent, share }
}

describe('the consent QR link', () => {
  it('is the viewer URL with a plain SMART Health Link (url, key, flag) and "_ck":2: the terms, secret and label are at the host', async () => {
    const { consent, share } = await fixture({ kind: 'bearer', secret: newBearerSecret() }, { passcode: '2468', grantAtHost: true })
    const link = consentQrLink(share, consent, 'https://carekey.example.org/')
    expect(link.startsWith('https://carekey.example.org/view#shlink:/')).toBe(true)
    const { payload, viewerUrl } = decodeShlink(link)
    expect(viewerUrl).toBe('https://carekey.example.org/view')
    expect(payload).toEqual({ url: `${share.hostUrl}/shl/${share.hostShareId}`, key: share.key, flags: ['L', 'P'], extensions: { _ck: 2 } })
    expect(payload.url.length).toBeLessThanOrEqual(MAX_URL_LENGTH)
    expect(urlEntropyBits(new URL(payload.url))).toBeGreaterThanOrEqual(256)
    expect(readCareKeyExtension(payload)).toEqual({ grant: 'at-host' })
  })

  it('is a version 11 QR code at M where the app is served, whatever the label and the grantee', async () => {
    const origin = 'https://carekey.example.org'
    for (const grantee of [ADDRESS_GRANTEE, { kind: 'bearer', secret: newBearerSecret() } as const]) {
      const { consent, share } = await fixture(grantee, { passcode: 'tulip-7781', grantAtHost: true, hostUrl: origin, label: LONG_LABEL })
      const link = consentQrLink(share, consent, origin)
      expect(link.length).toBeLessThanOrEqual(251)
      expect(create(link, { errorCorrectionLevel: 'M' }).version).toBe(11)
      expect(link).not.toContain('Lovelace')
    }
  })

  it('stays the long link, with the terms in _ck, exp and the label, for a share made before its grant went to the host', async () => {
    const { consent, share } = await fixture(ADDRESS_GRANTEE, { passcode: '2468', grantAtHost: false })
    const { payload } = decodeShlink(consentQrLink(share, consent, 'https://carekey.example.org/'))
    expect(payload).toMatchObject({ key: share.key, exp: Number(consent.terms.validUntil), flags: ['L', 'P'], label: 'CareKey shared records' })
    expect(readCareKeyExtension(payload)).toEqual({ grant: 'in-link', info: { chainId: 31337, registry: FIXTURE_LOCATION.registry, terms: consent.terms } })

    const secret = newBearerSecret()
    const bearer = await fixture({ kind: 'bearer', secret }, { grantAtHost: false })
    const bearerPayload = decodeShlink(consentQrLink(bearer.share, bearer.consent, 'http://localhost:4173')).payload
    expect(bearerPayload.flags).toEqual(['L'])
    expect(readCareKeyExtension(bearerPayload)).toMatchObject({ grant: 'in-link', info: { bearerSecret: secret } })
  })

  it('never puts the passcode in the link', async () => {
    for (const grantAtHost of [true, false]) {
      const { consent, share } = await fixture(ADDRESS_GRANTEE, { passcode: 'tulip-7781', grantAtHost })
      expect(consentQrLink(share, consent, 'http://localhost:4173')).not.toContain('tulip')
      expect(JSON.stringify(decodeShlink(consentQrLink(share, consent, 'http://localhost:4173')).payload)).not.toContain('tulip')
    }
  })
})
