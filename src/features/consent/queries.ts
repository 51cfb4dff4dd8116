import { queryOptions } from '@tanstack/react-query'
import type { Address, Hex, PublicClient } from 'viem'
// The marker only: the pwa door also loads the service worker registration.
import { LAST_KNOWN_META } from '../../platform/lastKnownReads.ts'
import {
  readCommitmentStatus,
  readGrantStatus,
  type ConsentRegistryDeployment,
} from '../../chain/consentRegistry.ts'
import type { GrantTerms } from '../../domain/consent/index.ts'
import type { WalletKeys } from '../../domain/wallet/keys.ts'
import { sessionScope } from '../wallet/index.ts'
import { getConsent, listConsents } from './consentActions.ts'
import { findWalletGrants } from './walletGrants.ts'

/** How long a grant's status read from chain is fresh: the list re-reads it after this. */
export const GRANT_STATUS_STALE_MS = 10_000
/** While a screen shows grants, their status is read again this often. */
export const GRANT_STATUS_REFRESH_MS = 15_000
/** While a grant waits for its transaction, the chain is asked this often. */
export const GRANT_CONFIRMING_REFRESH_MS = 1_000
/** The wallet's grants found from chain events (a restored wallet, another device). */
export const CHAIN_GRANTS_STALE_MS = 30_000

/**
 * Query keys of the consent feature. Decrypted consents (`local`) carry the unlocked session's
 * scope (sessionScope in the wallet feature) and live only while a screen
 * shows them (gcTime 0) and are invalidated on write; chain reads (`status`, `commitment`) are
 * public data, kept as last known values for offline use. The wallet's grants found on chain
 * (`walletGrants`) are public one by one, but together they link the wallet's one-time
 * addresses: they carry the session's scope and are never kept on the device.
 */
export const consentKeys = {
  all: ['consent'] as const,
  local: (session: number) => [...consentKeys.all, 'local', session] as const,
  detail: (session: number, id: string) => [...consentKeys.local(session), 'detail', id] as const,
  chainReads: () => [...consentKeys.all, 'chain'] as const,
  status: (registry: ConsentRegistryDeployment, commitment: Hex) =>
    [...consentKeys.chainReads(), 'status', registry.chainId, registry.address, commitment.toLowerCase()] as const,
  commitment: (registry: ConsentRegistryDeployment, patient: Address, commitment: Hex) =>
    [...consentKeys.chainReads(), 'commitment', registry.chainId, registry.address, patient, commitment.toLowerCase()] as const,
  walletGrants: (session: number, registry: ConsentRegistryDeployment, accounts: readonly Address[]) =>
    [...consentKeys.all, 'wallet-grants', session, registry.chainId, registry.address, accounts.map((a) => a.toLowerCase())] as const,
}

/** Every consent stored on this device, decrypted (local data: invalidated on write). */
export const consentsQueryOptions = (keys: WalletKeys) =>
  queryOptions({ queryKey: consentKeys.local(sessionScope(keys)), queryFn: () => listConsents(keys), staleTime: Infinity, gcTime: 0, retry: false })

/** One consent stored on this device, decrypted. */
export const consentQueryOptions = (keys: WalletKeys, id: string) =>
  queryOptions({ queryKey: consentKeys.detail(sessionScope(keys), id), queryFn: () => getConsent(keys, id), staleTime: Infinity, gcTime: 0, retry: false })

/** A grant's status, from its terms (the commitment is computed on this device). */
export const grantStatusQueryOptions = (client: PublicClient, registry: ConsentRegistryDeployment, terms: GrantTerms, commitment: Hex) =>
  queryOptions({
    queryKey: consentKeys.status(registry, commitment),
    queryFn: () => readGrantStatus(client, registry, terms),
    staleTime: GRANT_STATUS_STALE_MS,
    meta: LAST_KNOWN_META,
  })

/** The status of a grant known only by its commitment (found from chain events). */
export const commitmentStatusQueryOptions = (client: PublicClient, registry: ConsentRegistryDeployment, patient: Address, commitment: Hex) =>
  queryOptions({
    queryKey: consentKeys.commitment(registry, patient, commitment),
    queryFn: () => readCommitmentStatus(client, registry, patient, commitment),
    staleTime: GRANT_STATUS_STALE_MS,
    meta: LAST_KNOWN_META,
  })

/**
 * Every grant this wallet recorded, from the registry's events: its per-grant keys (found with
 * a gap limit) and its accounts' direct grants, with the next unused per-grant key index.
 * Never stored on the device (see consentKeys).
 */
export const walletGrantsQueryOptions = (
  client: PublicClient,
  registry: ConsentRegistryDeployment,
  keys: WalletKeys,
  accounts: readonly Address[],
) =>
  queryOptions({
    queryKey: consentKeys.walletGrants(sessionScope(keys), registry, accounts),
    queryFn: () => findWalletGrants(client, registry, { grantAddressAt: (i) => keys.grantAccount(i).address, accounts }),
    staleTime: CHAIN_GRANTS_STALE_MS,
  })
