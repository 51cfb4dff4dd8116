import { BaseError, ContractFunctionRevertedError, HttpRequestError, TimeoutError, UserRejectedRequestError, InsufficientFundsError } from 'viem'
import { BaseError as WagmiBaseError } from 'wagmi'
import { CareKeyError } from '../domain/errors.ts'

export class NetworkUnreachableError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super(
      'The network cannot be reached right now.',
      'Your wallet and records still work on this device. Try again when you are back online.',
      options,
    )
  }
}

export class SignatureRejectedError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super('The request was declined in your wallet.', 'Nothing was sent. Try again and approve it when you are ready.', options)
  }
}

export class NotEnoughFundsError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super(
      'This account does not have enough funds to pay the network fee.',
      'Add funds to the account shown on the Account screen, then try again.',
      options,
    )
  }
}

export class ChainRequestFailedError extends CareKeyError {
  constructor(detail: string, options?: ErrorOptions) {
    super(`The wallet or the network refused the request: ${detail}`, 'Try again. If it keeps failing, check the network on the Account screen.', options)
  }
}

/**
 * Turns a viem or wagmi failure into a CareKeyError people can act on. `describeRevert` maps
 * a contract's custom error names to words. Errors that are not from viem or wagmi (bugs)
 * are returned unchanged, for the error boundary.
 */
export function toChainError(error: unknown, describeRevert?: (name: string, args: readonly unknown[]) => CareKeyError | undefined): unknown {
  if (error instanceof WagmiBaseError) return new ChainRequestFailedError(error.shortMessage, { cause: error })
  if (error instanceof CareKeyError || !(error instanceof BaseError)) return error
  if (error.walk((e) => e instanceof UserRejectedRequestError)) return new SignatureRejectedError({ cause: error })
  if (error.walk((e) => e instanceof InsufficientFundsError)) return new NotEnoughFundsError({ cause: error })
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError)
  if (reverted instanceof ContractFunctionRevertedError && reverted.data?.errorName && describeRevert) {
    const mapped = describeRevert(reverted.data.errorName, reverted.data.args ?? [])
    if (mapped) return mapped
  }
  if (error.walk((e) => e instanceof HttpRequestError || e instanceof TimeoutError)) {
    return new NetworkUnreachableError({ cause: error })
  }
  return new ChainRequestFailedError(error.shortMessage, { cause: error })
}
