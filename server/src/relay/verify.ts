import { BaseError, ContractFunctionRevertedError, isAddressEqual, recoverTypedDataAddress, type Address, type Hex } from 'viem'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import {
  compactGrantSignature,
  grantTypedData,
  InvalidGrantSignatureError,
  revokeTypedData,
  type ParsedRelayGrantRequest,
  type ParsedRelayRevokeRequest,
  type RelayErrorCode,
} from '../../../src/domain/consent/index.ts'

/** A refusal of the relay: an HTTP status, a stable code and a detail for developers. */
export class RelayRefusal extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: RelayErrorCode,
    readonly detail: string,
    /** Seconds, for 429 and 503 replies. */
    readonly retryAfterSeconds?: number,
  ) {
    super(`${code}: ${detail}`)
    this.name = 'RelayRefusal'
  }
}

/** A verified registry call, ready for the sponsor to submit. */
export type RelayCall = {
  /** The per-grant address that signed. */
  patient: Address
  commitment: Hex
} & (
  | { functionName: 'grantBySig'; args: readonly [commitment: Hex, validUntil: bigint, deadline: bigint, r: Hex, vs: Hex] }
  | { functionName: 'revokeBySig'; args: readonly [commitment: Hex, deadline: bigint, r: Hex, vs: Hex] }
)

/** The chain and registry the relay submits to, and the host's clock (unix milliseconds). */
export type RelayTarget = { chainId: number; registry: Address; clock: () => number }

/**
 * Checks a signed grant before any gas is spent: for this chain and registry, before its
 * deadline, signed by the patient the request names. Throws a RelayRefusal.
 */
export async function verifyGrantRequest(target: RelayTarget, request: ParsedRelayGrantRequest): Promise<RelayCall> {
  checkTarget(target, request)
  const message = { commitment: request.commitment, validUntil: BigInt(request.validUntil), deadline: BigInt(request.deadline) }
  const { r, vs } = compactSignature(request.signature)
  const signer = await recover(() => recoverTypedDataAddress({ ...grantTypedData(target, message), signature: request.signature }))
  checkSigner(signer, request.patient)
  return {
    patient: signer,
    commitment: request.commitment,
    functionName: 'grantBySig',
    args: [message.commitment, message.validUntil, message.deadline, r, vs],
  }
}

/** Checks a signed revoke like verifyGrantRequest. */
export async function verifyRevokeRequest(target: RelayTarget, request: ParsedRelayRevokeRequest): Promise<RelayCall> {
  checkTarget(target, request)
  const message = { commitment: request.commitment, deadline: BigInt(request.deadline) }
  const { r, vs } = compactSignature(request.signature)
  const signer = await recover(() => recoverTypedDataAddress({ ...revokeTypedData(target, message), signature: request.signature }))
  checkSigner(signer, request.patient)
  return { patient: signer, commitment: request.commitment, functionName: 'revokeBySig', args: [message.commitment, message.deadline, r, vs] }
}

function checkTarget(target: RelayTarget, request: { chainId: number; registry: Address; deadline: number }) {
  if (request.chainId !== target.chainId || !isAddressEqual(request.registry, target.registry)) {
    throw new RelayRefusal(400, 'wrong-chain-or-registry', `this relay submits to the registry ${target.registry} on chain ${target.chainId}`)
  }
  if (request.deadline * 1000 <= target.clock()) throw new RelayRefusal(400, 'deadline-passed', 'the signature’s deadline has passed; sign again')
}

function compactSignature(signature: Hex) {
  try {
    return compactGrantSignature(signature)
  } catch (error) {
    if (error instanceof InvalidGrantSignatureError) throw new RelayRefusal(400, 'invalid-signature', error.userMessage)
    throw error
  }
}

async function recover(attempt: () => Promise<Address>): Promise<Address> {
  try {
    return await attempt()
  } catch {
    throw new RelayRefusal(400, 'invalid-signature', 'the signature does not recover to any address')
  }
}

function checkSigner(signer: Address, patient: Address) {
  if (!isAddressEqual(signer, patient)) {
    throw new RelayRefusal(400, 'invalid-signature', 'the signature was not made by the patient for this message, chain and registry')
  }
}

/** The registry's custom errors that refuse a relayed call, as relay refusals. */
const REVERTS: Record<string, { status: ContentfulStatusCode; code: RelayErrorCode; detail: string }> = {
  GrantAlreadyRecorded: { status: 409, code: 'already-recorded', detail: 'this patient already recorded this commitment' },
  UnknownGrant: { status: 409, code: 'unknown-grant', detail: 'this patient never recorded this commitment' },
  GrantAlreadyRevoked: { status: 409, code: 'already-revoked', detail: 'the grant is already revoked' },
  SignatureExpired: { status: 400, code: 'deadline-passed', detail: 'the signature’s deadline has passed on chain; sign again' },
  InvalidSignature: { status: 400, code: 'invalid-signature', detail: 'the registry refuses this signature' },
  ValidityEnded: { status: 400, code: 'validity-ended', detail: 'the grant’s end of validity is not in the future' },
  EmptyCommitment: { status: 400, code: 'empty-commitment', detail: 'the commitment is zero' },
}

/** The refusal for a registry revert found while simulating, or undefined for any other error. */
export function refusalForRevert(error: unknown): RelayRefusal | undefined {
  const reverted = error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : null
  if (!(reverted instanceof ContractFunctionRevertedError)) return undefined
  const known = reverted.data ? REVERTS[reverted.data.errorName] : undefined
  if (!known) return new RelayRefusal(400, 'not-a-registry-call', 'the registry refuses this call')
  return new RelayRefusal(known.status, known.code, known.detail)
}
