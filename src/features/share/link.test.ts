import { describe, expect, it } from 'vitest'
import { commitmentIn } from '../../chain/consentRegistry.ts'
import { buildConsentResource, createGrantTerms, newBearerSecret, type GranteeChoice } from '../../domain/consent/index.ts'
import { decodeShlink, MAX_URL_LENGTH, newShareId, newShareKey, readCareKeyExtension, urlEntropyBits } from '../../domain/shl/index.ts'
import type { StoredConsent } from '../../storage/consentsRepository.ts'
import type { StoredShare } from '../../storage/sharesRepository.ts'
import { consentQrLink } from './link.ts'

const registry = { chainId: 31337, address: '0x5FbDB2315678afecb367f032d93F642f64180aa3', fromBlock: 1n } as const
const patient = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
const scope = { categories: ['allergies' as const], recordIds: [], actions: ['access' as const] }
const now = new Date('2026-11-26T10:00:00Z')

function fixture(grantee: GranteeChoice, passcode?: string): { consent: StoredConsent; share: StoredShare } {
  const terms = createGrantTerms({ patient, grantee, scope, purpose: 'TREAT', validUntil: new Date('2026-11-27T10:00:00Z') }, { now })
  const location = { chainId: registry.chainId, registry: registry.address }
  const consent: StoredConsent = {
    id: 'c',
    ...location,
    terms,
    commitment: commitmentIn(registry, terms),
    scope,
    grantee,
    granteeName: undefined,
    resource: buildConsentResource({ terms, scope, location, dateTime: now }),
    state: 'recorded',
    grantTx: undefined,
    revokeTx: undefined,
    failure: undefined,
    shareId: 's',
    createdAt: 0,
    updatedAt: 0,
  }
  const share: StoredShare = {
    id: 's',
    consentId: 'c',
    hostShareId: newShareId(),
    // The longest share host URL the host allows (80 characters).
    hostUrl: `https://${'s'.repeat(60)}.example.org`,
    key: newShareKey(),
    passcode,
    label: 'CareKey shared records',
    flags: passcode ? ['L', 'P'] : ['L'],
    jwe: undefined,
    recordCount: 1,
    state: 'uploaded',
    uploadedAt: 0,
    stoppedAt: undefined,
    createdAt: 0,
    updatedAt: 0,
  }
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
    expect(readCareKeyExtension(payload)).toEqual({ chainId: 31337, registry: registry.address, terms: consent.terms })
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
