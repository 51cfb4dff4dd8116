/**
 * The app's client of the share host's sponsor relay: sends a grant or a revoke that a
 * per-grant key signed, and resolves once the sponsor's transaction is mined. No React, no
 * configuration of its own: the caller passes the share host's URL. Every reply is parsed
 * here, and every failure becomes one of the errors below, so the app can say which it was.
 */
import type { Address, Hex } from 'viem'
import { errorReplySchema } from '../domain/shl/index.ts'
import {
  isRelayErrorCode,
  relayReceiptSchema,
  type RegistryLocation,
  type RelayErrorCode,
  type RelayGrantRequest,
  type RelayReceipt,
  type RelayRevokeRequest,
  type SignedGrantMessage,
  type SignedRevokeMessage,
} from '../domain/consent/index.ts'
import { CareKeyError } from '../domain/errors.ts'
import type { FetchLike } from './client.ts'

/** Where the relay is: the share host's public URL (appConfig.shareHostUrl). */
export type RelayClientConfig = {
  shareHostUrl: string
  fetch?: FetchLike
}

// ---------------------------------------------------------------------------------------------
// Errors

/** Any failure of the relay. Callers branch on the subclass. */
export class RelayError extends CareKeyError {}

/** The share host could not be reached, or answered something that is not the relay. */
export class RelayUnreachableError extends RelayError {
  constructor(options?: ErrorOptions) {
    super('The service that records consents for free cannot be reached right now.', 'Check the connection and try again.', options)
  }
}

/** The sponsor cannot pay for transactions: nothing was sent. */
export class SponsorOutOfFundsError extends RelayError {
  constructor() {
    super(
      'The service that records consents for free has run out of funds, so nothing was recorded.',
      'Try again later, or record the consent from a wallet that holds funds.',
    )
  }
}

/** Too many requests from this device, or the sponsor's allowance for today is spent. */
export class RelayRateLimitedError extends RelayError {
  constructor(
    readonly code: 'rate-limited' | 'daily-gas-limit',
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(
      code === 'daily-gas-limit'
        ? 'The service that records consents for free has reached its limit for today, so nothing was recorded.'
        : 'Too many consents were sent from this device in a short time, so this one was not recorded.',
      retryAfterSeconds ? `Try again in ${formatWait(retryAfterSeconds)}.` : 'Try again later.',
    )
  }
}

/** The relay refused the request; `code` says why (see RELAY_ERROR_CODES). */
export class RelayRefusedError extends RelayError {
  constructor(
    readonly status: number,
    readonly code: RelayErrorCode | `http-${number}`,
    readonly detail: string | undefined,
  ) {
    const [message, hint] = refusalWords(code)
    super(message, hint)
  }
}

function refusalWords(code: RelayErrorCode | `http-${number}`): [string, string] {
  switch (code) {
    case 'already-recorded':
      return ['This consent is already recorded.', 'Nothing more to do.']
    case 'already-revoked':
      return ['This consent is already revoked.', 'Nothing more to do.']
    case 'unknown-grant':
      return ['The network has no record of this consent, so there is nothing to revoke.', 'If you just gave it, wait a moment and try again.']
    case 'deadline-passed':
      return ['The signature for this consent has expired.', 'Try again: CareKey signs it anew.']
    case 'invalid-signature':
      return ['The signature for this consent is not valid.', 'Try again. If it keeps failing, this device may need an update.']
    case 'wrong-chain-or-registry':
      return ['The share host records consents on another network than this app uses.', 'Check the share host address in the settings.']
    case 'validity-ended':
      return ['This consent would already have ended.', 'Choose an end time in the future.']
    case 'relay-disabled':
      return ['This share host does not record consents for free.', 'Record the consent from a wallet that holds funds.']
    case 'chain-unavailable':
      return ['The network could not be reached by the share host.', 'Try again in a moment.']
    case 'sponsor-busy':
      return ['The share host is busy and could not record this consent now.', 'Try again in a minute.']
    case 'not-confirmed':
      return ['The consent was sent but not yet confirmed by the network.', 'Check its status in a few minutes before sending it again.']
    default:
      return ['The share host refused to record this consent.', 'Try again. If it keeps failing, the share host may need an update.']
  }
}

function formatWait(seconds: number): string {
  if (seconds < 90) return `${seconds} seconds`
  if (seconds < 5400) return `${Math.round(seconds / 60)} minutes`
  return `${Math.round(seconds / 3600)} hours`
}

// ---------------------------------------------------------------------------------------------
// Requests

/**
 * The relay request for a grant the per-grant key `patient` signed with `grantTypedData`.
 *
 * @example
 * const signature = await grantKey.signTypedData(grantTypedData(location, message))
 * await relayGrant(config, relayGrantRequest(location, grantKey.address, message, signature))
 */
export function relayGrantRequest(location: RegistryLocation, patient: Address, message: SignedGrantMessage, signature: Hex): RelayGrantRequest {
  return {
    chainId: location.chainId,
    registry: location.registry,
    patient,
    commitment: message.commitment,
    validUntil: seconds(message.validUntil),
    deadline: seconds(message.deadline),
    signature,
  }
}

/**
 * The relay request for a revoke the per-grant key signed with `revokeTypedData`.
 *
 * @example
 * await relayRevoke(config, relayRevokeRequest(location, grantKey.address, message, signature))
 */
export function relayRevokeRequest(location: RegistryLocation, patient: Address, message: SignedRevokeMessage, signature: Hex): RelayRevokeRequest {
  return { chainId: location.chainId, registry: location.registry, patient, commitment: message.commitment, deadline: seconds(message.deadline), signature }
}

function seconds(value: bigint): number {
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`${value} is not a time in seconds`)
  return Number(value)
}

/**
 * Asks the relay to record a signed grant; resolves with the mined transaction. Throws
 * RelayUnreachableError, SponsorOutOfFundsError, RelayRateLimitedError or RelayRefusedError.
 *
 * @example
 * const { transactionHash } = await relayGrant({ shareHostUrl: appConfig.shareHostUrl }, request)
 */
export function relayGrant(config: RelayClientConfig, request: RelayGrantRequest): Promise<RelayReceipt> {
  return post(config, '/api/relay/grant', request)
}

/**
 * Asks the relay to record a signed revoke; resolves with the mined transaction. Throws as
 * relayGrant does.
 *
 * @example
 * await relayRevoke({ shareHostUrl: appConfig.shareHostUrl }, request)
 */
export function relayRevoke(config: RelayClientConfig, request: RelayRevokeRequest): Promise<RelayReceipt> {
  return post(config, '/api/relay/revoke', request)
}

async function post(config: RelayClientConfig, path: string, body: RelayGrantRequest | RelayRevokeRequest): Promise<RelayReceipt> {
  let response: Response
  try {
    response = await (config.fetch ?? fetch)(`${config.shareHostUrl.replace(/\/+$/, '')}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    })
  } catch (cause) {
    throw new RelayUnreachableError({ cause })
  }
  const json = await readJson(response)
  if (response.ok) {
    const receipt = relayReceiptSchema.safeParse(json)
    if (!receipt.success) throw new RelayUnreachableError({ cause: receipt.error })
    return receipt.data
  }
  const reply = errorReplySchema.safeParse(json)
  // Not the relay's error reply (a proxy's error page, another service): as good as unreachable.
  if (!reply.success) {
    if (response.status >= 500) throw new RelayUnreachableError()
    throw new RelayRefusedError(response.status, `http-${response.status}`, undefined)
  }
  const { error: code, detail } = reply.data
  if (code === 'sponsor-out-of-funds') throw new SponsorOutOfFundsError()
  if (response.status === 429) {
    const retryAfter = Number(response.headers.get('retry-after'))
    throw new RelayRateLimitedError(code === 'daily-gas-limit' ? 'daily-gas-limit' : 'rate-limited', Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined)
  }
  throw new RelayRefusedError(response.status, isRelayErrorCode(code) ? code : `http-${response.status}`, detail)
}

async function readJson(response: Response): Promise<unknown> {
  if (!/^application\/json\b/i.test(response.headers.get('content-type') ?? '')) return undefined
  try {
    return (await response.json()) as unknown
  } catch {
    return undefined
  }
}
