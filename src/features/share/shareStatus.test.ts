import { describe, expect, it } from 'vitest'
import { consentStatusView } from '../consent/index.ts'
import { shareStatusView } from './shareStatus.ts'

const now = new Date('2026-11-26T10:00:00Z')
const validUntil = BigInt(Date.parse('2026-11-27T10:00:00Z') / 1000)
const consent = (chain: Parameters<typeof consentStatusView>[0]['chain'], state: 'recorded' | 'submitted' = 'recorded') =>
  consentStatusView({ state, chain, validUntil, now, readFailed: false })

describe('a share’s status', () => {
  it('opens while its consent is active and the host holds it', () => {
    expect(shareStatusView({ state: 'uploaded', consent: consent('active'), host: 'active' })).toMatchObject({ kind: 'active', opens: true })
  })

  it('no longer opens once revoked, expired, stopped or locked', () => {
    expect(shareStatusView({ state: 'uploaded', consent: consent('revoked'), host: 'active' })).toMatchObject({ kind: 'revoked', label: 'Stopped', opens: false })
    expect(shareStatusView({ state: 'uploaded', consent: consent('expired'), host: 'active' })).toMatchObject({ kind: 'expired', label: 'Expired', opens: false })
    expect(shareStatusView({ state: 'stopped', consent: consent('revoked'), host: undefined })).toMatchObject({ kind: 'stopped', opens: false })
    expect(shareStatusView({ state: 'uploaded', consent: consent('active'), host: 'deactivated' })).toMatchObject({ kind: 'stopped', opens: false })
    expect(shareStatusView({ state: 'uploaded', consent: consent('active'), host: 'locked' })).toMatchObject({ kind: 'locked', opens: false })
  })

  it('says what stopping means: it no longer opens, and copies already downloaded stay', () => {
    for (const view of [
      shareStatusView({ state: 'uploaded', consent: consent('revoked'), host: undefined }),
      shareStatusView({ state: 'stopped', consent: consent('revoked'), host: undefined }),
    ]) {
      expect(view.description).toMatch(/no longer opens/)
      expect(view.description).toMatch(/Copies already downloaded stay with whoever downloaded them\./)
    }
  })

  it('waits for the consent, then for the upload', () => {
    expect(shareStatusView({ state: 'prepared', consent: consent('unknown', 'submitted'), host: undefined }).kind).toBe('waiting-for-consent')
    expect(shareStatusView({ state: 'prepared', consent: consent('active'), host: undefined }).kind).toBe('not-uploaded')
  })

  it('still shows the QR code offline, saying the status could not be checked', () => {
    const offline = consentStatusView({ state: 'recorded', chain: undefined, validUntil, now, readFailed: true })
    expect(shareStatusView({ state: 'uploaded', consent: offline, host: undefined })).toMatchObject({ kind: 'unknown', label: 'Status unavailable', opens: true })
  })
})
