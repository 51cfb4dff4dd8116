import { dateTimeText, fromUnixSeconds, type GrantStatus } from '../../domain/consent/index.ts'
import type { ConsentLifecycle } from '../../storage/consentsRepository.ts'

export type ConsentStatusKind =
  | 'active'
  | 'expired'
  | 'revoked'
  | 'starts-later'
  | 'confirming'
  | 'not-recorded'
  | 'unknown'
  | 'checking'
  | 'unreadable'

export type ConsentStatusView = {
  kind: ConsentStatusKind
  /** One or two words for a badge. */
  label: string
  tone: 'success' | 'neutral' | 'warning' | 'danger'
  /** One sentence saying what it means. */
  description: string
  /** Whether the patient can still revoke it (it is recorded, neither revoked nor ended). */
  revocable: boolean
}

export type StatusInput = {
  /** Where the grant is on this device; 'recorded' for a grant known only from the chain. */
  state: ConsentLifecycle
  /** The chain's answer, last read (possibly long ago); undefined when it was never read. */
  chain: GrantStatus | undefined
  /** The end of validity in the terms (unix seconds). */
  validUntil: bigint
  now: Date
  /** The latest read failed (offline, RPC down): `chain` is a last known value, if any. */
  readFailed: boolean
}

/**
 * What to tell the patient about a grant. The chain decides: a grant is shown active only
 * when the chain said so, and a last known "active" whose end has passed on this device's
 * clock shows as expired. The local state only explains a grant the chain does not know yet.
 *
 * @example
 * consentStatusView({ state: 'recorded', chain: 'active', validUntil, now: new Date(), readFailed: false }).label // 'Active'
 */
export function consentStatusView(input: StatusInput): ConsentStatusView {
  const { chain, state } = input
  const ends = fromUnixSeconds(input.validUntil)
  const until = dateTimeText(input.validUntil)
  const ended = ends.getTime() <= input.now.getTime()
  if (chain === 'revoked') {
    return { kind: 'revoked', label: 'Revoked', tone: 'neutral', description: 'You revoked this consent: nobody can open what it shared from now on. It can never be active again.', revocable: false }
  }
  if (chain === 'expired' || (chain === 'active' && ended) || (chain === 'pending' && ended)) {
    return { kind: 'expired', label: 'Expired', tone: 'neutral', description: `This consent ended on ${until}.`, revocable: false }
  }
  if (chain === 'active') {
    return { kind: 'active', label: 'Active', tone: 'success', description: `The network confirms this consent is active until ${until}.`, revocable: true }
  }
  if (chain === 'pending') {
    return { kind: 'starts-later', label: 'Not started', tone: 'warning', description: 'This consent is recorded but its period has not started yet.', revocable: true }
  }
  if (state === 'failed') {
    return { kind: 'not-recorded', label: 'Not recorded', tone: 'danger', description: 'The network refused this consent, so it was never active.', revocable: false }
  }
  if (chain === 'unknown') {
    if (state === 'submitted') {
      return { kind: 'confirming', label: 'Pending', tone: 'warning', description: 'Sent to the network, waiting for it to be recorded.', revocable: false }
    }
    if (state === 'signing') {
      return { kind: 'not-recorded', label: 'Not recorded', tone: 'danger', description: 'This consent was not sent to the network, or not yet recorded.', revocable: false }
    }
    return { kind: 'unknown', label: 'Unknown', tone: 'danger', description: 'The network does not know this consent. It is not active.', revocable: false }
  }
  if (input.readFailed) {
    return { kind: 'unreadable', label: 'Status unavailable', tone: 'warning', description: 'The network could not be reached to check this consent.', revocable: false }
  }
  return { kind: 'checking', label: 'Checking…', tone: 'neutral', description: 'Reading its status from the network.', revocable: false }
}
