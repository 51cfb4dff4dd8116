import { skipToken, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useSyncExternalStore } from 'react'
import { isAddressEqual, type Address, type Hex, type PublicClient } from 'viem'
import { useConfig, useConnection, usePublicClient, useWaitForTransactionReceipt } from 'wagmi'
import { appConfig } from '../../platform/config.ts'
import { usePrivateMutation } from '../../platform/privateMutation.ts'
import { consentRegistryOf } from '../../chain/consentRegistry.ts'
import { ConsentTransactionFailedError } from '../../chain/consentRegistryErrors.ts'
import { NetworkUnreachableError } from '../../chain/errors.ts'
import { CareKeyError } from '../../domain/errors.ts'
import type { ConsentSender, StoredConsent } from '../../storage/consentsRepository.ts'
import { useWalletKeys } from '../wallet/index.ts'
import { toReceiptError } from '../../chain/receiptErrors.ts'
import {
  confirmGrant,
  forgetGrant,
  grantConsent,
  prepareGrantWithFreshKey,
  recordGrantFailure,
  revokeGrant,
  type SignedConsentDeps,
  type GrantReceipt,
  type RevokeTarget,
  type SentGrant,
} from './consentActions.ts'
import type { GrantPreparation, PreparedGrant } from './prepareGrant.ts'
import {
  commitmentStatusQueryOptions,
  consentKeys,
  consentQueryOptions,
  consentsQueryOptions,
  GRANT_CONFIRMING_REFRESH_MS,
  GRANT_STATUS_REFRESH_MS,
  grantStatusQueryOptions,
  walletGrantsQueryOptions,
} from './queries.ts'
import { consentStatusView, type ConsentStatusView } from './statusView.ts'

/** The registry of this build (chain, address, deployment block). */
export const registry = consentRegistryOf(appConfig)

export { SigningWalletChangedError, type RevokeTarget } from './consentActions.ts'

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

/** What the grant and revoke workflows need, from the wallet and wagmi. */
function useConsentChainDeps(): SignedConsentDeps {
  const keys = useWalletKeys()
  const config = useConfig()
  const { address } = useSigningAccount()
  const client = useRegistryClient()
  return { keys, config, registry, account: address, relay: { shareHostUrl: appConfig.shareHostUrl }, client }
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

/** The wallet's main address (m/44'/60'/0'/0/0), while it is unlocked. */
export function useMainAddress(): Address | undefined {
  return useWalletKeys()?.account.address
}

/** The accounts that may have made grants directly: the wallet's main account and a connected browser wallet. */
function useGrantingAccounts(): Address[] {
  const main = useMainAddress()
  const { address } = useSigningAccount()
  if (!main) return address ? [address] : []
  return address && !isAddressEqual(address, main) ? [main, address] : [main]
}

/**
 * Every grant this wallet recorded, from the registry's events: the per-grant keys found by
 * scanning with a gap limit, and the grants made from the wallet's accounts (a restored wallet
 * finds its grants this way), with the next unused per-grant key index.
 */
export function useWalletGrants() {
  const keys = useWalletKeys()
  const client = useRegistryClient()
  const accounts = useGrantingAccounts()
  return useQuery(
    client && keys
      ? walletGrantsQueryOptions(client, registry, keys, accounts)
      : { queryKey: consentKeys.walletGrants(0, registry, accounts), queryFn: skipToken },
  )
}

// ---------------------------------------------------------------------------------------------
// Granting

/**
 * Prepares a grant on this device (terms, FHIR Consent, and for a share the encrypted Bundle),
 * made by the next unused per-grant key, for the review step. Nothing is stored or sent. The
 * key is past every one used on this device and every one found on the network (useWalletGrants,
 * awaited when it is still being read), so that a restored wallet never reuses a key; when the
 * network cannot be read, the keys used on this device decide.
 */
export function usePrepareGrant() {
  const keys = useWalletKeys()
  const client = useRegistryClient()
  const accounts = useGrantingAccounts()
  const queryClient = useQueryClient()
  const usedOnChain = async (): Promise<number> => {
    if (!client || !keys) return 0
    try {
      return (await queryClient.ensureQueryData(walletGrantsQueryOptions(client, registry, keys, accounts))).nextIndex
    } catch {
      // The network cannot say: the keys used on this device decide (sending needs the network anyway).
      return 0
    }
  }
  // The choices hold the passcode, and the result the share key and bearer secret: the choices
  // stay out of the query cache; the result is wiped with every other mutation at the lock.
  return usePrivateMutation({
    mutationFn: async (preparation: Omit<GrantPreparation, 'grantKeyIndex'>) => prepareGrantWithFreshKey(keys, preparation, await usedOnChain()),
  })
}

/**
 * Sends the prepared grant (grantConsent): stored first, signed by its per-grant key, then
 * recorded through the sponsor (`mutate('sponsor')`) or sent and paid for by the connected
 * wallet (`mutate('account')`); removed again when nothing was sent. The grant (with its share
 * key and passcode) is held by the closure, not passed as the mutation's variables.
 */
export function useSendGrant(prepared: PreparedGrant | undefined) {
  const deps = useConsentChainDeps()
  const invalidate = useInvalidateConsents()
  return useMutation({
    mutationFn: (via: ConsentSender): Promise<SentGrant> => {
      if (!prepared) throw new GrantNotPreparedError()
      return grantConsent(deps, prepared, via)
    },
    onSettled: invalidate,
  })
}

/** Sending was asked for before the grant was prepared: a bug in the screen. */
class GrantNotPreparedError extends Error {
  constructor() {
    super('useSendGrant: no prepared grant to send')
    this.name = 'GrantNotPreparedError'
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
    mutationFn: (receipt: GrantReceipt) => confirmGrant({ keys, registry }, receipt),
    onSettled: invalidate,
  })
  const failed = useMutation({
    mutationFn: ({ id, error }: { id: string; error: CareKeyError }) => recordGrantFailure(keys, id, error),
    onSettled: invalidate,
  })
  const receiptError = receipt.error ? toReceiptError(receipt.error) : undefined
  const reverted = receiptError !== undefined && !(receiptError instanceof NetworkUnreachableError)

  // The receipt arrives from outside (the chain): storing it is the effect.
  const { mutate: store, isIdle: storeIdle } = record
  const { mutate: storeFailure, isIdle: failureIdle } = failed
  useEffect(() => {
    if (!consent || consent.state !== 'submitted') return
    if (receipt.data && storeIdle) store({ consentId: consent.id, receipt: receipt.data, commitment: consent.commitment })
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
    mutationFn: (consent: Pick<StoredConsent, 'id' | 'shareId'>) => forgetGrant(keys, consent),
    onSettled: invalidate,
  })
}

// ---------------------------------------------------------------------------------------------
// Revoking

/**
 * Revokes a grant on chain (revokeGrant): signed by its per-grant key and sent by the sponsor
 * (or by the connected wallet with `via: 'account'`), or, for a grant made from an account, the
 * revoke transaction from that account; then the revocation is stored with the consent.
 */
export function useRevokeGrant() {
  const deps = useConsentChainDeps()
  const invalidate = useInvalidateConsents()
  return useMutation({
    mutationFn: ({ via = 'sponsor', ...target }: RevokeTarget & { via?: ConsentSender }) => revokeGrant(deps, target, via),
    onSettled: invalidate,
  })
}
