import type { ShareStatus } from '../../domain/shl/index.ts'
import type { ShareLifecycle } from '../../storage/sharesRepository.ts'
import type { ConsentStatusView } from '../consent/index.ts'

export type ShareStatusKind =
  | 'active'
  | 'waiting-for-consent'
  | 'not-uploaded'
  | 'revoked'
  | 'expired'
  | 'stopped'
  | 'locked'
  | 'consent-not-recorded'
  | 'unknown'

export type ShareStatusView = {
  kind: ShareStatusKind
  label: string
  tone: ConsentStatusView['tone']
  description: string
  /** Whether the QR code opens now, as far as this device can tell: show it. */
  opens: boolean
}

/** What stopping cannot undo, said whenever a QR code stops. */
const KEPT_COPIES = 'Copies already downloaded stay with whoever downloaded them.'

/**
 * The status of a share, from the chain (its consent), the host (active, deactivated, locked
 * after too many wrong passcodes) and this device (uploaded, stopped). The QR code is shown
 * only while the consent is active on chain and the host holds the share.
 *
 * @example
 * shareStatusView({ state: 'uploaded', consent: consentView, host: log?.share.status }).opens // true while active
 */
export function shareStatusView(input: { state: ShareLifecycle; consent: ConsentStatusView; host: ShareStatus['status'] | undefined }): ShareStatusView {
  const { state, consent, host } = input
  if (state === 'stopped' || host === 'deactivated') {
    return { kind: 'stopped', label: 'Stopped', tone: 'neutral', description: `You stopped sharing. The link no longer opens. ${KEPT_COPIES}`, opens: false }
  }
  if (consent.kind === 'revoked') {
    // For the patient, a QR code whose consent they revoked is stopped, like one they stopped.
    return { kind: 'revoked', label: 'Stopped', tone: 'neutral', description: `You revoked its consent, so this QR code no longer opens. ${KEPT_COPIES}`, opens: false }
  }
  if (consent.kind === 'expired') {
    return { kind: 'expired', label: 'Expired', tone: 'neutral', description: 'Its consent has ended. The link no longer opens.', opens: false }
  }
  if (host === 'locked') {
    return {
      kind: 'locked',
      label: 'Locked',
      tone: 'danger',
      description: 'Too many wrong passcodes were tried, so the share host closed this link for good.',
      opens: false,
    }
  }
  if (consent.kind === 'not-recorded' || consent.kind === 'unknown') {
    return { kind: 'consent-not-recorded', label: 'Not shared', tone: 'danger', description: 'Its consent is not recorded on the network.', opens: false }
  }
  if (state === 'prepared') {
    if (consent.kind === 'active' || consent.kind === 'starts-later') {
      return { kind: 'not-uploaded', label: 'Not uploaded', tone: 'warning', description: 'The consent is recorded; the encrypted records are not at the share host yet.', opens: false }
    }
    return { kind: 'waiting-for-consent', label: 'Pending', tone: 'warning', description: 'Waiting for the network to record the consent.', opens: false }
  }
  if (consent.kind === 'active') {
    return { kind: 'active', label: 'Active', tone: 'success', description: 'Whoever you show the QR code to can open what you shared.', opens: true }
  }
  if (consent.kind === 'starts-later') {
    return { kind: 'active', label: 'Not started', tone: 'warning', description: 'It opens once its consent starts.', opens: true }
  }
  return { kind: 'unknown', label: consent.label, tone: consent.tone, description: consent.description, opens: consent.kind === 'unreadable' || consent.kind === 'checking' }
}
