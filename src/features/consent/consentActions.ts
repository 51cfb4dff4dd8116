import { isAddressEqual, type Address, type Hex, type TransactionReceipt } from 'viem'
import type { Config } from 'wagmi'
import { waitForTransactionReceipt, writeContract } from 'wagmi/actions'
import {
  grantBySigRequest,
  grantFromReceipt,
  readCommitmentStatus,
  revokeBySigRequest,
  revokeFromReceipt,
  revokeRequest,
  type ConsentGrantedEvent,
  type ConsentRegistryDeployment,
  type ConsentRevokedEvent,
} from '../../chain/consentRegistry.ts'
import { ConsentTransactionFailedError, GrantAlreadyRecordedError, NotYourGrantError, toConsentChainError } from '../../chain/consentRegistryErrors.ts'
import { toReceiptError } from '../../chain/receiptErrors.ts'
import {
  checkNewGrantTerms,
  compactGrantSignature,
  grantTypedData,
  revokeTypedData,
  signatureDeadline,
  toUnixSeconds,
} from '../../domain/consent/index.ts'
import { CareKeyError } from '../../domain/errors.ts'
import type { WalletKeys } from '../../domain/wallet/keys.ts'
import { WalletLockedError } from '../../domain/wallet/errors.ts'
import { consentsStorageKey, readConsent, readConsents, writeConsent, type StoredConsent } from '../../storage/consentsRepository.ts'
import { deleteConsentWithShare, writeConsentWithShare } from '../../storage/sharesRepository.ts'
import {
  relayGrant,
  relayGrantRequest,
  relayRevoke,
  relayRevokeRequest,
  RelayRefusedError,
  RelayUnreachableError,
  type RelayClientConfig,
} from '../../shareHost/relay.ts'
import type { PublicClient } from 'viem'
import type { ConsentSender } from '../../storage/consentsRepository.ts'
import { prepareGrant, type GrantPreparation, type PreparedGrant } from './prepareGrant.ts'

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

/**
 * The index of the next per-grant key: one past the highest used by a grant on this device or
 * found on the network (`usedOnChain`, the next index the discovery returned), so that no two
 * grants ever share a key.
 *
 * @example
 * const index = await nextGrantKeyIndex(keys, discovered?.nextIndex ?? 0)
 */
export async function nextGrantKeyIndex(keys: WalletKeys, usedOnChain = 0): Promise<number> {
  const { consents } = await listConsents(keys)
  return consents.reduce((next, c) => (c.grantKeyIndex !== undefined && c.grantKeyIndex >= next ? c.grantKeyIndex + 1 : next), usedOnChain)
}

/**
 * Prepares a grant made by the next unused per-grant key (see prepareGrant): the key's address
 * is the terms' patient, and its index is kept with the grant. Nothing is stored or sent.
 *
 * @example
 * const prepared = await prepareGrantWithFreshKey(keys, { choices, registry, hostUrl, now, readRecords })
 */
export async function prepareGrantWithFreshKey(
  keys: WalletKeys | undefined,
  preparation: Omit<GrantPreparation, 'grantKeyIndex'>,
  usedOnChain = 0,
): Promise<PreparedGrant> {
  const unlocked = requireKeys(keys)
  const grantKeyIndex = await nextGrantKeyIndex(unlocked, usedOnChain)
  const patient = unlocked.grantAccount(grantKeyIndex).address
  return prepareGrant({ ...preparation, choices: { ...preparation.choices, patient }, grantKeyIndex })
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

/** Who sends the grant's transaction: the sponsor (the default) or the patient's account. */
export function markGrantSender(keys: WalletKeys, id: string, sentBy: ConsentSender) {
  return update(keys, id, () => ({ sentBy }))
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

/** A grant handed to the chain: `hash` is undefined when the chain already held it. */
export type SentGrant = { consentId: string; shareId: string | undefined; hash: Hex | undefined; sentBy: ConsentSender }

/** What sending a signed grant or revoke needs besides the keys, wagmi and the registry. */
export type SignedConsentDeps = ConsentChainDeps & {
  /** The share host's sponsor relay. */
  relay: RelayClientConfig
  /** Reads the registry, to learn whether a grant reached the chain when a reply was lost. */
  client: PublicClient | undefined
}

/** The grant was prepared for a per-grant key this wallet does not hold. */
export class GrantKeyMismatchError extends CareKeyError {
  constructor() {
    super('This consent was prepared for another key.', 'Go back and review the consent again.')
  }
}

/**
 * Sends a prepared grant, made by its own per-grant key: stores it first (so a grant that may
 * reach the chain is never lost), signs the EIP-712 Grant message with the per-grant key on
 * this device, then has it recorded with `grantBySig`:
 * - `via: 'sponsor'` (the default): the share host's sponsor relay sends it and pays; resolves
 *   once it is mined, and the grant is stored as recorded;
 * - `via: 'account'`: the connected wallet (the patient's main account or a browser wallet)
 *   sends it and pays the fee, which links this grant to that account; resolves with the hash.
 * A refusal that sent nothing removes the stored grant again and throws a CareKeyError that
 * says which (sponsor unreachable, out of funds, rate limited, refused; wallet declined, no
 * funds). When the reply is lost, the chain decides: a grant found there is kept.
 *
 * @example
 * const sent = await grantConsent({ keys, config, registry, account, relay: { shareHostUrl }, client }, prepared, 'sponsor')
 */
export async function grantConsent(deps: SignedConsentDeps, prepared: PreparedGrant, via: ConsentSender = 'sponsor'): Promise<SentGrant> {
  const keys = requireKeys(deps.keys)
  const { consent } = prepared
  const now = deps.now?.() ?? new Date()
  if (consent.grantKeyIndex === undefined) throw new GrantKeyMismatchError()
  const grantKey = keys.grantAccount(consent.grantKeyIndex)
  if (!isAddressEqual(grantKey.address, consent.terms.patient)) throw new GrantKeyMismatchError()
  if (via === 'account' && !deps.account) throw new SigningWalletChangedError()
  checkNewGrantTerms(consent.terms, { now })
  await storePreparedGrant(keys, { ...prepared, consent: { ...consent, sentBy: via } })

  const location = { chainId: deps.registry.chainId, registry: deps.registry.address }
  const message = { commitment: consent.commitment, validUntil: consent.terms.validUntil, deadline: signatureDeadline(toUnixSeconds(now)) }
  const signature = await grantKey.signTypedData(grantTypedData(location, message))
  const sent = { consentId: consent.id, shareId: consent.shareId, sentBy: via }

  if (via === 'account') {
    let hash: Hex
    try {
      hash = await writeContract(deps.config, grantBySigRequest(deps.registry, message, compactGrantSignature(signature)))
    } catch (error) {
      const mapped = toConsentChainError(error)
      if (mapped instanceof GrantAlreadyRecordedError) return { ...sent, hash: undefined }
      await discardGrant(keys, consent)
      throw mapped
    }
    await markGrantSubmitted(keys, consent.id, hash)
    return { ...sent, hash }
  }

  try {
    const mined = await relayGrant(deps.relay, relayGrantRequest(location, grantKey.address, message, signature))
    await markGrantRecorded(keys, consent.id, { transactionHash: mined.transactionHash, blockNumber: BigInt(mined.blockNumber) })
    return { ...sent, hash: mined.transactionHash }
  } catch (error) {
    if (error instanceof RelayRefusedError && error.code === 'already-recorded') return { ...sent, hash: undefined }
    // Sent but not yet mined: it may still land, so it is kept (and its key stays taken).
    if (error instanceof RelayRefusedError && error.code === 'not-confirmed') throw error
    // A refusal comes before anything is sent. A lost reply may come after the relay sent the
    // transaction: keep the grant if the chain has it, or cannot say.
    if (error instanceof RelayUnreachableError && (await mayBeOnChain(deps, grantKey.address, consent.commitment))) throw error
    await discardGrant(keys, consent)
    throw error
  }
}

async function mayBeOnChain(deps: SignedConsentDeps, patient: Address, commitment: Hex): Promise<boolean> {
  if (!deps.client) return true
  try {
    return (await readCommitmentStatus(deps.client, deps.registry, patient, commitment)).status !== 'unknown'
  } catch {
    // The chain cannot be read either: keep the grant rather than risk losing one that landed.
    return true
  }
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
  /** The per-grant key that made the grant; absent for a grant made from an account. */
  grantKeyIndex?: number | undefined
}

/**
 * Revokes a grant on chain and stores the revocation with the consent. A grant made by a
 * per-grant key is revoked with that key's signature (`revokeBySig`), sent by the sponsor relay
 * (`via: 'sponsor'`, the default) or by the connected wallet (`via: 'account'`, paying the fee);
 * a grant made from an account is revoked by that account (`revoke`). Throws CareKeyErrors
 * (sponsor unreachable or refusing, declined, no funds, network down, not this wallet's grant,
 * already revoked).
 *
 * @example
 * const revoked = await revokeGrant(deps, { patient, commitment, consentId, grantKeyIndex }, 'sponsor')
 */
export async function revokeGrant(deps: SignedConsentDeps, target: RevokeTarget, via: ConsentSender = 'sponsor'): Promise<ConsentRevokedEvent> {
  const keys = requireKeys(deps.keys)
  const event = target.grantKeyIndex === undefined ? await revokeFromAccount(deps, target) : await revokeSigned(deps, keys, target, target.grantKeyIndex, via)
  if (target.consentId !== undefined) await markGrantRevoked(keys, target.consentId, event)
  return event
}

async function revokeSigned(
  deps: SignedConsentDeps,
  keys: WalletKeys,
  target: RevokeTarget,
  index: number,
  via: ConsentSender,
): Promise<ConsentRevokedEvent> {
  const grantKey = keys.grantAccount(index)
  if (!isAddressEqual(grantKey.address, target.patient)) throw new NotYourGrantError()
  const location = { chainId: deps.registry.chainId, registry: deps.registry.address }
  const message = { commitment: target.commitment, deadline: signatureDeadline(toUnixSeconds(deps.now?.() ?? new Date())) }
  const signature = await grantKey.signTypedData(revokeTypedData(location, message))
  if (via === 'sponsor') {
    const mined = await relayRevoke(deps.relay, relayRevokeRequest(location, grantKey.address, message, signature))
    return { kind: 'revoked', patient: grantKey.address, commitment: target.commitment, transactionHash: mined.transactionHash, blockNumber: BigInt(mined.blockNumber), logIndex: 0 }
  }
  return sendAndWait(deps, () => writeContract(deps.config, revokeBySigRequest(deps.registry, message, compactGrantSignature(signature))), target)
}

async function revokeFromAccount(deps: SignedConsentDeps, target: RevokeTarget): Promise<ConsentRevokedEvent> {
  if (!deps.account || !isAddressEqual(deps.account, target.patient)) throw new NotYourGrantError()
  return sendAndWait(deps, () => writeContract(deps.config, revokeRequest(deps.registry, target.commitment)), target)
}

async function sendAndWait(deps: SignedConsentDeps, send: () => Promise<Hex>, target: RevokeTarget): Promise<ConsentRevokedEvent> {
  let hash: Hex
  try {
    hash = await send()
  } catch (error) {
    throw toConsentChainError(error)
  }
  let receipt: TransactionReceipt
  try {
    receipt = await waitForTransactionReceipt(deps.config, { hash, chainId: deps.registry.chainId })
  } catch (error) {
    throw toReceiptError(error)
  }
  return revokeFromReceipt(deps.registry, receipt, target.commitment)
}
