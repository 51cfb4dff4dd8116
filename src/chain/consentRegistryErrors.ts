import { BaseError, ChainMismatchError, ContractFunctionZeroDataError } from 'viem'
import { GrantValidityEndedError } from '../domain/consent/errors.ts'
import { CareKeyError } from '../domain/errors.ts'
import { toChainError } from './errors.ts'

/** The registry refused a grant it already holds for this patient (ConsentRegistry.GrantAlreadyRecorded). */
export class GrantAlreadyRecordedError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super('This consent is already recorded on the network.', 'It is listed under My consents; there is nothing more to do.', options)
  }
}

/** The caller never recorded this grant, so it cannot revoke it (ConsentRegistry.UnknownGrant). */
export class NotYourGrantError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super(
      'This wallet did not grant that consent, so it cannot revoke it.',
      'Only the account that granted a consent can revoke it. Connect the wallet you granted it with.',
      options,
    )
  }
}

/** The grant was revoked before (ConsentRegistry.GrantAlreadyRevoked). */
export class GrantAlreadyRevokedError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super('This consent was already revoked.', 'Nothing more to do: a revoked consent can never become active again.', options)
  }
}

/** CareKey sent the registry a request it can never accept (an empty commitment or batch). A bug. */
export class InvalidConsentRequestError extends CareKeyError {
  constructor(detail: string, options?: ErrorOptions) {
    super(`CareKey sent the network an invalid consent request (${detail}). Nothing was recorded.`, 'Please report this problem.', options)
  }
}

/** No ConsentRegistry answers at the configured address on this chain. */
export class ConsentRegistryNotFoundError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super("CareKey's consent registry was not found on this network.", 'Check that the app is set up for the right network.', options)
  }
}

/** The wallet is connected to another chain than the registry's. */
export class WrongNetworkError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super('Your wallet is connected to another network than CareKey uses.', 'Switch your wallet to CareKey’s network, then try again.', options)
  }
}

/** The chain answered something a ConsentRegistry never answers. */
export class UnexpectedChainReplyError extends CareKeyError {
  constructor(detail: string, options?: ErrorOptions) {
    super(`The network gave an answer CareKey cannot trust (${detail}).`, 'Try again later, or use another network provider.', options)
  }
}

/** A grant or revoke transaction was mined but did not do what it was sent for. */
export class ConsentTransactionFailedError extends CareKeyError {
  constructor(detail: string, options?: ErrorOptions) {
    super(`The network did not record this change: ${detail}.`, 'Nothing changed on chain. Try again.', options)
  }
}

/**
 * Words for the ConsentRegistry's custom errors, for toChainError.
 *
 * @example
 * toChainError(error, describeConsentRevert)
 */
export function describeConsentRevert(name: string, _args: readonly unknown[]): CareKeyError | undefined {
  switch (name) {
    case 'GrantAlreadyRecorded':
      return new GrantAlreadyRecordedError()
    case 'ValidityEnded':
      return new GrantValidityEndedError()
    case 'UnknownGrant':
      return new NotYourGrantError()
    case 'GrantAlreadyRevoked':
      return new GrantAlreadyRevokedError()
    case 'EmptyCommitment':
      return new InvalidConsentRequestError('an empty commitment')
    case 'BatchMismatch':
      return new InvalidConsentRequestError('an empty or uneven batch')
    default:
      return undefined
  }
}

/**
 * Turns any failure of a ConsentRegistry read or write (from viem or wagmi) into a CareKeyError
 * for people: the contract's custom errors in words, a wallet on the wrong network, a missing
 * registry, and everything toChainError knows (declined signature, no funds, network down).
 * Anything else (a bug) is returned unchanged for the error boundary.
 *
 * @example
 * try { await writeContractAsync(grantRequest(registry, terms)) } catch (error) { throw toConsentChainError(error) }
 */
export function toConsentChainError(error: unknown): unknown {
  if (error instanceof BaseError) {
    if (error.walk((e) => e instanceof ChainMismatchError)) return new WrongNetworkError({ cause: error })
    if (error.walk((e) => e instanceof ContractFunctionZeroDataError)) return new ConsentRegistryNotFoundError({ cause: error })
  }
  return toChainError(error, describeConsentRevert)
}
