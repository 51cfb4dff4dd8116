import { queryOptions } from '@tanstack/react-query'
import type { Address, Hex, PublicClient } from 'viem'
// The marker only: the pwa door also loads the service worker registration.
import { LAST_KNOWN_META } from '../../platform/lastKnownReads.ts'
import {
  listPatientGrants,
  readCommitmentStatus,
  readGrantStatus,
  type ConsentRegistryDeployment,
} from '../../chain/consentRegistry.ts'
import type { GrantTerms } from '../../domain/consent/index.ts'
import type { WalletKeys } from '../../domain/wallet/keys.ts'
import { sessionScope } from '../wallet/index.ts'
import { getConsent, listConsents } from './consentActions.ts'

/** How long a grant's status read from chain is fresh: the list re-reads it after this. */
export const GRANT_STATUS_STALE_MS = 10_000
/** While a screen shows grants, their status is read again this often. */
export const GRANT_STATUS_REFRESH_MS = 15_000
/** While a grant waits for its transaction, the chain is asked this often. */
export const GRANT_CONFIRMING_REFRESH_MS = 1_000
/** The patient's grants found from chain events (a restored wallet, another device). */
export const CHAIN_GRANTS_STALE_MS = 30_000

/**
 * Query keys of the consent feature. Decrypted consents (`local`) carry the unlocked session's
 * scope (sessionScope in the wallet feature) and live only while a screen
 * shows them (gcTime 0) and are invalidated on write; chain reads (`status`, `commitment`,
 * `chain`) are public data, kept as last known values for offline use.
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
  patientGrants: (registry: ConsentRegistryDeployment, patient: Address) =>
    [...consentKeys.chainReads(), 'grants', registry.chainId, registry.address, patient] as const,
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

/** Every grant a patient recorded, from the registry's events. */
export const patientGrantsQueryOptions = (client: PublicClient, registry: ConsentRegistryDeployment, patient: Address) =>
  queryOptions({
    queryKey: consentKeys.patientGrants(registry, patient),
    queryFn: async () => (await listPatientGrants(client, registry, patient)).grants,
    staleTime: CHAIN_GRANTS_STALE_MS,
    meta: LAST_KNOWN_META,
  })
