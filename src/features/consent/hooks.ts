import { skipToken, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useSyncExternalStore } from 'react'
import { isAddressEqual, type Address, type Hex, type PublicClient, type TransactionReceipt } from 'viem'
import { useConfig, useConnection, usePublicClient, useWaitForTransactionReceipt, useWriteContract } from 'wagmi'
import { waitForTransactionReceipt } from 'wagmi/actions'
import { appConfig } from '../../platform/config.ts'
import {
  consentRegistryOf,
  grantFromReceipt,
  grantRequest,
  revokeFromReceipt,
  revokeRequest,
  type ConsentRevokedEvent,
} from '../../chain/consentRegistry.ts'
import { ConsentTransactionFailedError, GrantAlreadyRecordedError, NotYourGrantError, toConsentChainError } from '../../chain/consentRegistryErrors.ts'
import { checkNewGrantTerms } from '../../domain/consent/index.ts'
import { NetworkUnreachableError } from '../../chain/errors.ts'
import { CareKeyError } from '../../domain/errors.ts'
import { WalletLockedError } from '../../domain/wallet/errors.ts'
import type { WalletKeys } from '../../domain/wallet/keys.ts'
import type { StoredConsent } from '../../storage/consentsRepository.ts'
import { useWalletKeys } from '../wallet/index.ts'
import { toReceiptError } from '../../chain/receiptErrors.ts'
import { discardGrant, markGrantFailed, markGrantRecorded, markGrantRevoked, markGrantSubmitted, storePreparedGrant } from './consentActions.ts'
import { prepareGrant, type GrantPreparation, type PreparedGrant } from './prepareGrant.ts'
import {
  commitmentStatusQueryOptions,
  consentKeys,
  consentQueryOptions,
  consentsQueryOptions,
  GRANT_CONFIRMING_REFRESH_MS,
  GRANT_STATUS_REFRESH_MS,
  grantStatusQueryOptions,
  patientGrantsQueryOptions,
} from './queries.ts'
import { consentStatusView, type ConsentStatusView } from './statusView.ts'

/** The registry of this build (chain, address, deployment block). */
export const registry = consentRegistryOf(appConfig)

function requireKeys(keys: WalletKeys | undefined): WalletKeys {
  if (!keys) throw new WalletLockedError()
  return keys
}

/** A viem client for the registry's chain, from wagmi. */
export function useRegistryClient(): PublicClient | undefined {
  return usePublicClient({ chainId: registry.chainId })
}

/** The account that signs grants now: the CareKey wallet, or the browser wallet the patient chose. */
export function useSigningAccount(): { address: Address | undefined; chainId: number | undefined; isLocalWallet: boolean } {
  const connection = useConnection()
  return {
    address: connection.status === 'connected' ? connection.address : undefined,
    chainId: connection.status === 'connected' ? connection.chainId : undefined,
    isLocalWallet: connection.connector?.type === 'carekeyLocal',
  }
}

const subscribeToClock = (listener: () => void) => {
  const timer = setInterval(listener, 15_000)
  return () => clearInterval(timer)
}
const minuteNow = () => Math.floor(Date.now() / 15_000) * 15_000

/** The time, updated every 15 seconds, for "expired" and "ends in" to follow the clock. */
export function useNow(): Date {
  return new Date(useSyncExternalStore(subscribeToClock, minuteNow, minuteNow))
}

// ---------------------------------------------------------------------------------------------
// Consents on this device

/** Every consent on this device (decrypted) and how many could not be read. */
export function useConsents() {
  const keys = useWalletKeys()
  return useQuery(keys ? consentsQueryOptions(keys) : { queryKey: consentKeys.local(0), queryFn: skipToken })
}

/** One consent on this device. */
export function useConsent(id: string) {
  const keys = useWalletKeys()
  return useQuery(keys ? consentQueryOptions(keys, id) : { queryKey: consentKeys.detail(0, id), queryFn: skipToken })
}

function useInvalidateConsents() {
  const queryClient = useQueryClient()
  return () => queryClient.invalidateQueries({ queryKey: consentKeys.all })
}

// ---------------------------------------------------------------------------------------------
// Status from chain

export type GrantStatusResult = {
  view: ConsentStatusView
  /** When the status shown was read (0: never). */
  readAt: number
  /** The latest read failed; `view` shows the last known value, if any. */
  readFailed: boolean
  error: unknown
}

/**
 * The live status of a consent on this device, read from chain (again every few seconds
 * while shown; every second while its transaction is being confirmed).
 */
export function useGrantStatus(consent: StoredConsent | undefined): GrantStatusResult {
  const client = useRegistryClient()
  const now = useNow()
  const here = consent !== undefined && consent.chainId === registry.chainId && isAddressEqual(consent.registry, registry.address)
  const waiting = consent?.state === 'submitted'
  const query = useQuery(
    client && consent && here
      ? {
          ...grantStatusQueryOptions(client, registry, consent.terms, consent.commitment),
          refetchInterval: (q) => (waiting && q.state.data?.status === 'unknown' ? GRANT_CONFIRMING_REFRESH_MS : GRANT_STATUS_REFRESH_MS),
        }
      : { queryKey: consentKeys.status(registry, consent?.commitment ?? '0x'), queryFn: skipToken },
  )
  const view = consentStatusView({
    state: consent?.state ?? 'recorded',
    chain: query.data?.status,
    validUntil: consent?.terms.validUntil ?? 0n,
    now,
    readFailed: query.isError || (consent !== undefined && !here),
  })
  return { view, readAt: query.dataUpdatedAt, readFailed: query.isError, error: query.error }
}

/** The status of a grant found on chain whose terms are not on this device. */
export function useCommitmentStatus(patient: Address, commitment: Hex, validUntil: bigint): GrantStatusResult {
  const client = useRegistryClient()
  const now = useNow()
  const query = useQuery(
    client
      ? { ...commitmentStatusQueryOptions(client, registry, patient, commitment), refetchInterval: GRANT_STATUS_REFRESH_MS }
      : { queryKey: consentKeys.commitment(registry, patient, commitment), queryFn: skipToken },
  )
  const view = consentStatusView({ state: 'recorded', chain: query.data?.status, validUntil, now, readFailed: query.isError })
  return { view, readAt: query.dataUpdatedAt, readFailed: query.isError, error: query.error }
}

/** Every grant the account recorded, from the registry's events (a restored wallet finds its grants this way). */
export function usePatientGrants(patient: Address | undefined) {
  const client = useRegistryClient()
  return useQuery(
    client && patient
      ? patientGrantsQueryOptions(client, registry, patient)
      : { queryKey: consentKeys.patientGrants(registry, patient ?? '0x'), queryFn: skipToken },
  )
}

// ---------------------------------------------------------------------------------------------
// Granting

/**
 * Prepares a grant on this device (terms, FHIR Consent, and for a share the encrypted Bundle),
 * for the review step. Nothing is stored or sent.
 */
export function usePrepareGrant() {
  return useMutation({ mutationFn: (preparation: GrantPreparation) => prepareGrant(preparation) })
}

/**
 * Sends a prepared grant: stores it first, then asks the wallet to sign and send the
 * transaction (wagmi's useWriteContract), then stores its hash. When the wallet declines or
 * the transaction cannot be sent, the stored grant is removed again and the error says why.
 */
export function useSendGrant() {
  const keys = useWalletKeys()
  const { address } = useSigningAccount()
  const write = useWriteContract()
  const invalidate = useInvalidateConsents()
  return useMutation({
    mutationFn: async (prepared: PreparedGrant): Promise<{ consentId: string; shareId: string | undefined; hash: Hex | undefined }> => {
      const unlocked = requireKeys(keys)
      const { consent } = prepared
      if (!address || !isAddressEqual(address, consent.terms.patient)) throw new SigningWalletChangedError()
      checkNewGrantTerms(consent.terms, { now: new Date() })
      await storePreparedGrant(unlocked, prepared)
      let hash: Hex
      try {
        hash = await write.mutateAsync(grantRequest(registry, consent.terms))
      } catch (error) {
        const mapped = toConsentChainError(error)
        // Sent before (a retry after an unclear failure): it is on chain, so keep it.
        if (mapped instanceof GrantAlreadyRecordedError) return { consentId: consent.id, shareId: consent.shareId, hash: undefined }
        await discardGrant(unlocked, consent)
        throw mapped
      }
      await markGrantSubmitted(unlocked, consent.id, hash)
      return { consentId: consent.id, shareId: consent.shareId, hash }
    },
    onSettled: invalidate,
  })
}

export class SigningWalletChangedError extends CareKeyError {
  constructor() {
    super('The signing wallet changed since this consent was prepared.', 'Go back and review the consent again.')
  }
}

export type GrantConfirmation =
  /** `problem`: the network cannot be reached just now; waiting goes on. */
  | { phase: 'waiting'; problem: CareKeyError | undefined }
  | { phase: 'confirmed' }
  | { phase: 'failed'; error: CareKeyError }
  | { phase: 'idle' }

/**
 * Waits for a sent grant's receipt (wagmi's useWaitForTransactionReceipt) and stores the
 * outcome: recorded with its block, or failed with the decoded reason. Picks up where it left
 * off after a reload, since the hash is stored.
 */
export function useGrantConfirmation(consent: StoredConsent | undefined): GrantConfirmation {
  const keys = useWalletKeys()
  const invalidate = useInvalidateConsents()
  const hash = consent?.state === 'submitted' ? consent.grantTx?.hash : undefined
  const receipt = useWaitForTransactionReceipt({ hash, chainId: registry.chainId, query: { enabled: hash !== undefined, retry: 3 } })
  const record = useMutation({
    mutationFn: async ({ id, receipt, commitment }: { id: string; receipt: TransactionReceipt; commitment: Hex }) => {
      const unlocked = requireKeys(keys)
      try {
        const event = grantFromReceipt(registry, receipt, commitment)
        return await markGrantRecorded(unlocked, id, event)
      } catch (error) {
        if (error instanceof ConsentTransactionFailedError) await markGrantFailed(unlocked, id, error.userMessage)
        throw error
      }
    },
    onSettled: invalidate,
  })
  const failed = useMutation({
    mutationFn: async ({ id, error }: { id: string; error: CareKeyError }) => markGrantFailed(requireKeys(keys), id, error.userMessage),
    onSettled: invalidate,
  })
  const receiptError = receipt.error ? toReceiptError(receipt.error) : undefined
  const reverted = receiptError !== undefined && !(receiptError instanceof NetworkUnreachableError)

  // The receipt arrives from outside (the chain): storing it is the effect.
  const { mutate: store, isIdle: storeIdle } = record
  const { mutate: storeFailure, isIdle: failureIdle } = failed
  useEffect(() => {
    if (!consent || consent.state !== 'submitted') return
    if (receipt.data && storeIdle) store({ id: consent.id, receipt: receipt.data, commitment: consent.commitment })
    else if (receiptError && reverted && failureIdle) storeFailure({ id: consent.id, error: receiptError })
  }, [consent, receipt.data, receiptError, reverted, store, storeIdle, storeFailure, failureIdle])

  if (!consent) return { phase: 'idle' }
  if (consent.state === 'recorded') return { phase: 'confirmed' }
  if (consent.state === 'failed') return { phase: 'failed', error: new ConsentTransactionFailedError(consent.failure ?? 'the transaction was reverted') }
  if (record.error instanceof CareKeyError) return { phase: 'failed', error: record.error }
  return consent.state === 'submitted' ? { phase: 'waiting', problem: reverted ? undefined : receiptError } : { phase: 'idle' }
}

/** Forgets a grant that was never recorded (and its share). */
export function useDiscardGrant() {
  const keys = useWalletKeys()
  const invalidate = useInvalidateConsents()
  return useMutation({
    mutationFn: (consent: Pick<StoredConsent, 'id' | 'shareId'>) => discardGrant(requireKeys(keys), consent),
    onSettled: invalidate,
  })
}

// ---------------------------------------------------------------------------------------------
// Revoking

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
 */
export function useRevokeGrant() {
  const keys = useWalletKeys()
  const config = useConfig()
  const { address } = useSigningAccount()
  const write = useWriteContract()
  const invalidate = useInvalidateConsents()
  return useMutation({
    mutationFn: async (target: RevokeTarget): Promise<ConsentRevokedEvent> => {
      const unlocked = requireKeys(keys)
      if (!address || !isAddressEqual(address, target.patient)) throw new NotYourGrantError()
      let hash: Hex
      try {
        hash = await write.mutateAsync(revokeRequest(registry, target.commitment))
      } catch (error) {
        throw toConsentChainError(error)
      }
      let receipt: TransactionReceipt
      try {
        receipt = await waitForTransactionReceipt(config, { hash, chainId: registry.chainId })
      } catch (error) {
        throw toReceiptError(error)
      }
      const event = revokeFromReceipt(registry, receipt, target.commitment)
      if (target.consentId !== undefined) await markGrantRevoked(unlocked, target.consentId, event)
      return event
    },
    onSettled: invalidate,
  })
}
