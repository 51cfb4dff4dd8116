import { BaseError, ChainMismatchError, ContractFunctionZeroDataError } from 'viem'
import { credentialStatusFromChain, type CredentialStatus } from '../domain/credentials/credentialStatus.ts'
import { CareKeyError } from '../domain/errors.ts'
import { WrongNetworkError } from './consentRegistryErrors.ts'
import { toChainError } from './errors.ts'

const PRESCRIBER_WORDS: Record<Exclude<CredentialStatus, 'valid'>, [string, string]> = {
  none: ['This account holds no prescriber credential, so it cannot write prescriptions.', 'Ask your licensing body to register this account as a prescriber.'],
  revoked: ['Your prescriber credential was revoked, so you cannot write prescriptions.', 'Contact your licensing body.'],
  expired: ['Your prescriber credential has expired, so you cannot write prescriptions.', 'Ask your licensing body to renew it.'],
  pending: ['Your prescriber credential is not valid yet.', 'You can write prescriptions from the date it starts.'],
}

const PHARMACY_WORDS: Record<Exclude<CredentialStatus, 'valid'>, [string, string]> = {
  none: ['This account holds no pharmacy credential, so it cannot dispense.', 'Ask your licensing body to register this account as a pharmacy.'],
  revoked: ['Your pharmacy credential was revoked, so you cannot dispense.', 'Contact your licensing body.'],
  expired: ['Your pharmacy credential has expired, so you cannot dispense.', 'Ask your licensing body to renew it.'],
  pending: ['Your pharmacy credential is not valid yet.', 'You can dispense from the date it starts.'],
}

/** The sender holds no valid prescriber credential now (PrescriptionRegistry.PrescriberNotVerified). */
export class PrescriberNotVerifiedError extends CareKeyError {
  constructor(
    readonly status: Exclude<CredentialStatus, 'valid'>,
    options?: ErrorOptions,
  ) {
    super(...PRESCRIBER_WORDS[status], options)
  }
}

/** The sender holds no valid pharmacy credential now (PrescriptionRegistry.PharmacyNotVerified). */
export class PharmacyNotVerifiedError extends CareKeyError {
  constructor(
    readonly status: Exclude<CredentialStatus, 'valid'>,
    options?: ErrorOptions,
  ) {
    super(...PHARMACY_WORDS[status], options)
  }
}

/** The commitment is recorded already (PrescriptionRegistry.PrescriptionAlreadyRecorded). */
export class PrescriptionAlreadyRecordedError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super('This prescription is already recorded on the network.', 'There is nothing more to do: give the patient their prescription.', options)
  }
}

/** No such prescription on chain (PrescriptionRegistry.UnknownPrescription). */
export class PrescriptionNotFoundError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super(
      'This prescription is not recorded on the network.',
      'Do not dispense it: it may be forged, or written for another network. Ask the prescriber.',
      options,
    )
  }
}

/** The prescription's expiry has passed (PrescriptionRegistry.PrescriptionExpired). */
export class PrescriptionExpiredError extends CareKeyError {
  constructor(
    readonly expiry: number,
    options?: ErrorOptions,
  ) {
    super(`This prescription expired on ${new Date(expiry * 1000).toISOString().slice(0, 10)}: nothing more can be dispensed.`, 'The patient needs a new prescription.', options)
  }
}

/** The prescriber cancelled it (PrescriptionRegistry.CancelledPrescription). */
export class PrescriptionCancelledError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super('The prescriber cancelled this prescription: nothing more can be dispensed.', 'The patient needs a new prescription.', options)
  }
}

/** More than remains, or zero (PrescriptionRegistry.MoreThanRemains). */
export class DispenseExceedsRemainingError extends CareKeyError {
  constructor(
    readonly requested: number,
    readonly remaining: number,
    options?: ErrorOptions,
  ) {
    super(
      remaining === 0
        ? 'Nothing remains on this prescription: it has been fully dispensed.'
        : requested === 0
          ? 'A dispense must be of at least one unit.'
          : `Only ${remaining} ${remaining === 1 ? 'unit remains' : 'units remain'} on this prescription; ${requested} ${requested === 1 ? 'was' : 'were'} asked for.`,
      remaining === 0 ? 'Do not hand anything over.' : `Dispense at most ${remaining}.`,
      options,
    )
  }
}

/** Only its prescriber may cancel (PrescriptionRegistry.NotThePrescriber). */
export class NotThePrescriberError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super('Only the prescriber who wrote this prescription can cancel it.', 'Connect the prescriber’s account.', options)
  }
}

/** Cancelled before (PrescriptionRegistry.AlreadyCancelled). */
export class PrescriptionAlreadyCancelledError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super('This prescription was already cancelled.', 'Nothing more to do.', options)
  }
}

/** The expiry is not in the future (PrescriptionRegistry.ExpiryInPast). */
export class PrescriptionExpiryPassedError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super('This prescription’s end of validity has already passed.', 'Choose a later “valid until” date and sign it again.', options)
  }
}

/** CareKey sent a request the registry can never accept (an empty commitment or quantity). A bug. */
export class InvalidPrescriptionRequestError extends CareKeyError {
  constructor(detail: string, options?: ErrorOptions) {
    super(`CareKey sent the network an invalid prescription request (${detail}). Nothing was recorded.`, 'Please report this problem.', options)
  }
}

/** No PrescriptionRegistry answers at the configured address. */
export class PrescriptionRegistryNotFoundError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super("CareKey's prescription registry was not found on this network.", 'Check that the app is set up for the right network.', options)
  }
}

function statusArg(value: unknown): Exclude<CredentialStatus, 'valid'> {
  const status = typeof value === 'number' ? credentialStatusFromChain(value) : undefined
  return status === undefined || status === 'valid' ? 'none' : status
}

const numberArg = (value: unknown): number => (typeof value === 'number' ? value : 0)

/**
 * Words for the PrescriptionRegistry's custom errors.
 *
 * @example
 * toChainError(error, describePrescriptionRevert)
 */
export function describePrescriptionRevert(name: string, args: readonly unknown[]): CareKeyError | undefined {
  switch (name) {
    case 'PrescriberNotVerified':
      return new PrescriberNotVerifiedError(statusArg(args[1]))
    case 'PharmacyNotVerified':
      return new PharmacyNotVerifiedError(statusArg(args[1]))
    case 'PrescriptionAlreadyRecorded':
      return new PrescriptionAlreadyRecordedError()
    case 'UnknownPrescription':
      return new PrescriptionNotFoundError()
    case 'PrescriptionExpired':
      return new PrescriptionExpiredError(numberArg(args[1]))
    case 'CancelledPrescription':
      return new PrescriptionCancelledError()
    case 'MoreThanRemains':
      return new DispenseExceedsRemainingError(numberArg(args[1]), numberArg(args[2]))
    case 'NotThePrescriber':
      return new NotThePrescriberError()
    case 'AlreadyCancelled':
      return new PrescriptionAlreadyCancelledError()
    case 'ExpiryInPast':
      return new PrescriptionExpiryPassedError()
    case 'EmptyCommitment':
      return new InvalidPrescriptionRequestError('an empty commitment')
    case 'EmptyQuantity':
      return new InvalidPrescriptionRequestError('a quantity of zero')
    default:
      return undefined
  }
}

/**
 * Turns any failure of a PrescriptionRegistry read or write into a CareKeyError: its custom
 * errors in words (who may prescribe or dispense, what remains), a wallet on the wrong
 * network, a missing registry, and everything toChainError knows. Anything else is returned
 * unchanged.
 *
 * @example
 * try { await writeContractAsync(dispenseRequest(registry, commitment, 1)) } catch (error) { throw toPrescriptionChainError(error) }
 */
export function toPrescriptionChainError(error: unknown): unknown {
  if (error instanceof BaseError) {
    if (error.walk((e) => e instanceof ChainMismatchError)) return new WrongNetworkError({ cause: error })
    if (error.walk((e) => e instanceof ContractFunctionZeroDataError)) return new PrescriptionRegistryNotFoundError({ cause: error })
  }
  return toChainError(error, describePrescriptionRevert)
}
