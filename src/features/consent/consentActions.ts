import { isAddressEqual, type Address, type Hex, type TransactionReceipt } from 'viem'
import type { Config } from 'wagmi'
import { waitForTransactionReceipt, writeContract } from 'wagmi/actions'
import {
  grantFromReceipt,
  grantRequest,
  revokeFromReceipt,
  revokeRequest,
  type ConsentGrantedEvent,
  type ConsentRegistryDeployment,
  type ConsentRevokedEvent,
} from '../../chain/consentRegistry.ts'
import { ConsentTransactionFailedError, GrantAlreadyRecordedError, NotYourGrantError, toConsentChainError } from '../../chain/consentRegistryErrors.ts'
import { toReceiptError } from '../../chain/receiptErrors.ts'
import { checkNewGrantTerms } from '../../domain/consent/index.ts'
import { CareKeyError } from '../../domain/errors.ts'
import type { WalletKeys } from '../../domain/wallet/keys.ts'
import { WalletLockedError } from '../../domain/wallet/errors.ts'
import { consentsStorageKey, readConsent, readConsents, writeConsent, type StoredConsent } from '../../storage/consentsRepository.ts'
import { deleteConsentWithShare, writeConsentWithShare } from '../../storage/sharesRepository.ts'
import type { PreparedGrant } from './prepareGrant.ts'

/**
 * What happens to a grant on this device, step by step. Each step is stored before the next
 * one starts, so that a closed tab or a crash never loses a grant that may be on chain: the
 * grant is stored before the wallet is asked to sign, its transaction hash as soon as it is
 * known, its block once the receipt shows it.
 */

export class ConsentNotFoundError extends CareKeyError {
  constructor() {
    super('This consent is not stored on this device.', 'It may have been removed. Open My consents to see the others.')
  }
}

export class SigningWalletChangedError extends CareKeyError {
  constructor() {
    super('The signing wallet changed since this consent was prepared.', 'Go back and review the consent again.')
  }
}

function requireKeys(keys: WalletKeys | undefined): WalletKeys {
  if (!keys) throw new WalletLockedError()
  return keys
}

const keyOf = (keys: WalletKeys) => consentsStorageKey(keys.root)

/** Every consent on this device, decrypted, newest first. */
export async function listConsents(keys: WalletKeys) {
  return readConsents(await keyOf(keys))
}

/** One consent; ConsentNotFoundError when there is none. */
export async function getConsent(keys: WalletKeys, id: string): Promise<StoredConsent> {
  const consent = await readConsent(await keyOf(keys), id)
  if (!consent) throw new ConsentNotFoundError()
  return consent
}

async function update(keys: WalletKeys, id: string, change: (consent: StoredConsent) => Partial<StoredConsent>): Promise<StoredConsent> {
  const key = await keyOf(keys)
  const consent = await readConsent(key, id)
  if (!consent) throw new ConsentNotFoundError()
  const next = { ...consent, ...change(consent), updatedAt: Date.now() }
  await writeConsent(key, next)
  return next
}

/** Stores a prepared grant (and its share) before the wallet is asked to sign it. */
export async function storePreparedGrant(keys: WalletKeys, prepared: PreparedGrant): Promise<void> {
  await writeConsentWithShare(await keyOf(keys), prepared.consent, prepared.share)
}

/** Forgets a grant that was never sent (the wallet declined, no funds…), with its share. */
export async function discardGrant(keys: WalletKeys, consent: Pick<StoredConsent, 'id' | 'shareId'>): Promise<void> {
  await keyOf(keys)
  await deleteConsentWithShare(consent.id, consent.shareId)
}

/** The grant's transaction was sent. */
export function markGrantSubmitted(keys: WalletKeys, id: string, hash: Hex) {
  return update(keys, id, () => ({ state: 'submitted', grantTx: { hash, blockNumber: undefined }, failure: undefined }))
}

/** The receipt shows the grant recorded: the FHIR Consent becomes active. */
export function markGrantRecorded(keys: WalletKeys, id: string, event: Pick<ConsentGrantedEvent, 'transactionHash' | 'blockNumber'>) {
  return update(keys, id, (consent) => ({
    state: 'recorded',
    grantTx: { hash: event.transactionHash, blockNumber: event.blockNumber },
    failure: undefined,
    resource: { ...consent.resource, status: consent.revokeTx ? 'inactive' : 'active' },
  }))
}

/** The transaction was mined but did not record the grant. */
export function markGrantFailed(keys: WalletKeys, id: string, reason: string) {
  return update(keys, id, (consent) => ({ state: 'failed', failure: reason, resource: { ...consent.resource, status: 'rejected' } }))
}

/** The patient revoked the grant: the FHIR Consent becomes inactive. */
export function markGrantRevoked(keys: WalletKeys, id: string, event: Pick<ConsentRevokedEvent, 'transactionHash' | 'blockNumber'>) {
  return update(keys, id, (consent) => ({
    revokeTx: { hash: event.transactionHash, blockNumber: event.blockNumber },
    resource: { ...consent.resource, status: 'inactive' },
  }))
}

// ---------------------------------------------------------------------------------------------
// Workflows: plain async functions the hooks call, each taking what it needs.

/** What the grant and revoke workflows need: the wallet's keys, wagmi and the registry. */
export type ConsentChainDeps = {
  /** The unlocked wallet's keys (undefined while locked: WalletLockedError). */
  keys: WalletKeys | undefined
  /** The wagmi config whose connected wallet signs and sends. */
  config: Config
  registry: ConsentRegistryDeployment
  /** The account the connected wallet signs with now. */
  account: Address | undefined
  /** The clock that new terms are checked against; `new Date()` by default. */
  now?: () => Date
}

/** A grant handed to the wallet: `hash` is undefined when the chain already held it. */
export type SentGrant = { consentId: string; shareId: string | undefined; hash: Hex | undefined }

/**
 * Sends a prepared grant: stores it first (so a grant that may reach the chain is never lost),
 * then has the connected wallet sign and send the registry's `grant` transaction, then stores
 * its hash. When the wallet declines, has no funds, is on another network, or the chain cannot
 * be reached, the stored grant (and its share) is removed again and a CareKeyError says why.
 * A grant the registry already holds (a retry after an unclear failure) is kept as it is.
 *
 * @example
 * const { consentId, hash } = await grantConsent({ keys, config, registry, account: address }, prepared)
 */
export async function grantConsent(deps: ConsentChainDeps, prepared: PreparedGrant): Promise<SentGrant> {
  const keys = requireKeys(deps.keys)
  const { consent } = prepared
  if (!deps.account || !isAddressEqual(deps.account, consent.terms.patient)) throw new SigningWalletChangedError()
  checkNewGrantTerms(consent.terms, { now: deps.now?.() ?? new Date() })
  await storePreparedGrant(keys, prepared)
  let hash: Hex
  try {
    hash = await writeContract(deps.config, grantRequest(deps.registry, consent.terms))
  } catch (error) {
    const mapped = toConsentChainError(error)
    // Sent before (a retry after an unclear failure): it is on chain, so keep it.
    if (mapped instanceof GrantAlreadyRecordedError) return { consentId: consent.id, shareId: consent.shareId, hash: undefined }
    await discardGrant(keys, consent)
    throw mapped
  }
  await markGrantSubmitted(keys, consent.id, hash)
  return { consentId: consent.id, shareId: consent.shareId, hash }
}

/** A sent grant's mined receipt, to be stored with the grant it was sent for. */
export type GrantReceipt = { consentId: string; commitment: Hex; receipt: TransactionReceipt }

/**
 * Stores what a sent grant's receipt shows: recorded with its transaction and block, or, when
 * the transaction did not record the grant (reverted, another grant), failed with the reason
 * (and the ConsentTransactionFailedError is thrown).
 *
 * @example
 * const receipt = await waitForTransactionReceipt(config, { hash })
 * await confirmGrant({ keys, registry }, { consentId, commitment, receipt })
 */
export async function confirmGrant(
  deps: Pick<ConsentChainDeps, 'keys' | 'registry'>,
  { consentId, commitment, receipt }: GrantReceipt,
): Promise<StoredConsent> {
  const keys = requireKeys(deps.keys)
  try {
    return await markGrantRecorded(keys, consentId, grantFromReceipt(deps.registry, receipt, commitment))
  } catch (error) {
    if (error instanceof ConsentTransactionFailedError) await markGrantFailed(keys, consentId, error.userMessage)
    throw error
  }
}

/**
 * Stores that a sent grant's transaction failed on chain (reverted), with the reason in words.
 *
 * @example
 * await recordGrantFailure(keys, consentId, new ConsentTransactionFailedError('the transaction was reverted'))
 */
export function recordGrantFailure(keys: WalletKeys | undefined, consentId: string, error: CareKeyError): Promise<StoredConsent> {
  return markGrantFailed(requireKeys(keys), consentId, error.userMessage)
}

/**
 * Forgets a grant that was never recorded (and its share).
 *
 * @example
 * await forgetGrant(keys, { id: consent.id, shareId: consent.shareId })
 */
export function forgetGrant(keys: WalletKeys | undefined, consent: Pick<StoredConsent, 'id' | 'shareId'>): Promise<void> {
  return discardGrant(requireKeys(keys), consent)
}

export type RevokeTarget = {
  patient: Address
  commitment: Hex
  /** The consent on this device, if the grant is stored here. */
  consentId: string | undefined
}

/**
 * Revokes a grant on chain: sends the revoke transaction from the wallet that granted it,
 * waits for its receipt and stores it with the consent. Throws CareKeyErrors (declined, no
 * funds, network down, not this wallet's grant, already revoked).
 *
 * @example
 * const revoked = await revokeGrant({ keys, config, registry, account: address }, { patient, commitment, consentId })
 */
export async function revokeGrant(deps: ConsentChainDeps, target: RevokeTarget): Promise<ConsentRevokedEvent> {
  const keys = requireKeys(deps.keys)
  if (!deps.account || !isAddressEqual(deps.account, target.patient)) throw new NotYourGrantError()
  let hash: Hex
  try {
    hash = await writeContract(deps.config, revokeRequest(deps.registry, target.commitment))
  } catch (error) {
    throw toConsentChainError(error)
  }
  let receipt: TransactionReceipt
  try {
    receipt = await waitForTransactionReceipt(deps.config, { hash, chainId: deps.registry.chainId })
  } catch (error) {
    throw toReceiptError(error)
  }
  const event = revokeFromReceipt(deps.registry, receipt, target.commitment)
  if (target.consentId !== undefined) await markGrantRevoked(keys, target.consentId, event)
  return event
}
