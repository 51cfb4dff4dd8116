import { BaseError, ChainMismatchError, ContractFunctionZeroDataError, isAddress, zeroAddress, type Address } from 'viem'
import { CareKeyError } from '../domain/errors.ts'
import { WrongNetworkError } from './consentRegistryErrors.ts'
import { toChainError } from './errors.ts'

/** The account is not one of the licensing bodies the registry was deployed with (CredentialRegistry.NotAnIssuer). */
export class NotACredentialIssuerError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super(
      'This account is not a licensing body in CareKey’s credential registry, so it cannot register credentials.',
      'Connect the licensing body’s account. The licensing bodies are fixed when the registry is deployed.',
      options,
    )
  }
}

/** The period is empty or already over (CredentialRegistry.InvalidValidity). */
export class CredentialPeriodInvalidError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super('The credential’s validity period is empty or already over.', 'Choose an end date in the future and after the start date.', options)
  }
}

/** Another licensing body holds a current credential for the address (CredentialRegistry.CredentialHeldByAnotherIssuer). */
export class CredentialHeldByAnotherIssuerError extends CareKeyError {
  constructor(
    readonly issuer: Address,
    options?: ErrorOptions,
  ) {
    super(
      `This professional holds a current credential from another licensing body (${issuer}).`,
      'That body must revoke it, or it must expire, before you can register this address.',
      options,
    )
  }
}

/** Nothing to revoke (CredentialRegistry.NoCredential). */
export class NoCredentialError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super('This address holds no credential.', 'Check the professional’s address.', options)
  }
}

/** Only the issuing body may revoke (CredentialRegistry.NotTheIssuer). */
export class NotTheCredentialIssuerError extends CareKeyError {
  constructor(
    readonly issuer: Address,
    options?: ErrorOptions,
  ) {
    super(`Only the licensing body that issued this credential (${issuer}) can revoke it.`, 'Ask that body to revoke it.', options)
  }
}

/** Revoked before (CredentialRegistry.CredentialAlreadyRevoked). */
export class CredentialAlreadyRevokedError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super('This credential was already revoked.', 'Nothing more to do. Issue it again to reinstate the professional.', options)
  }
}

/** CareKey sent a request the registry can never accept (zero address, no role, empty hash). A bug. */
export class InvalidCredentialRequestError extends CareKeyError {
  constructor(detail: string, options?: ErrorOptions) {
    super(`CareKey sent the network an invalid credential request (${detail}). Nothing was recorded.`, 'Please report this problem.', options)
  }
}

/** No CredentialRegistry answers at the configured address. */
export class CredentialRegistryNotFoundError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super("CareKey's credential registry was not found on this network.", 'Check that the app is set up for the right network.', options)
  }
}

/**
 * Words for the CredentialRegistry's custom errors.
 *
 * @example
 * toChainError(error, describeCredentialRevert)
 */
export function describeCredentialRevert(name: string, args: readonly unknown[]): CareKeyError | undefined {
  switch (name) {
    case 'NotAnIssuer':
      return new NotACredentialIssuerError()
    case 'InvalidValidity':
      return new CredentialPeriodInvalidError()
    case 'CredentialHeldByAnotherIssuer':
      return new CredentialHeldByAnotherIssuerError(addressArg(args[1]))
    case 'NoCredential':
      return new NoCredentialError()
    case 'NotTheIssuer':
      return new NotTheCredentialIssuerError(addressArg(args[1]))
    case 'CredentialAlreadyRevoked':
      return new CredentialAlreadyRevokedError()
    case 'InvalidProfessional':
      return new InvalidCredentialRequestError('the zero address')
    case 'InvalidRoles':
      return new InvalidCredentialRequestError('no role, or an unknown one')
    case 'EmptyDocumentHash':
      return new InvalidCredentialRequestError('no document hash')
    default:
      return undefined
  }
}

/** An address argument of a decoded revert (viem decodes addresses as checksummed strings). */
export function addressArg(value: unknown): Address {
  return typeof value === 'string' && isAddress(value) ? value : zeroAddress
}

/**
 * Turns any failure of a CredentialRegistry read or write into a CareKeyError: its custom
 * errors in words, a wallet on the wrong network, a missing registry, and everything
 * toChainError knows. Anything else (a bug) is returned unchanged.
 *
 * @example
 * try { await writeContractAsync(issueCredentialRequest(registry, verified)) } catch (error) { throw toCredentialChainError(error) }
 */
export function toCredentialChainError(error: unknown): unknown {
  if (error instanceof BaseError) {
    if (error.walk((e) => e instanceof ChainMismatchError)) return new WrongNetworkError({ cause: error })
    if (error.walk((e) => e instanceof ContractFunctionZeroDataError)) return new CredentialRegistryNotFoundError({ cause: error })
  }
  return toChainError(error, describeCredentialRevert)
}
