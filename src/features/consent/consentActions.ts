import type { Hex } from 'viem'
import type { ConsentGrantedEvent, ConsentRevokedEvent } from '../../chain/consentRegistry.ts'
import { CareKeyError } from '../../domain/errors.ts'
import type { WalletKeys } from '../../domain/wallet/keys.ts'
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
