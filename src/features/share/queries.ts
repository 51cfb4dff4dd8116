import { queryOptions } from '@tanstack/react-query'
import type { PatientSigner } from '../../shareHost/client.ts'
import type { WalletKeys } from '../../domain/wallet/keys.ts'
import type { StoredConsent } from '../../storage/consentsRepository.ts'
import type { StoredShare } from '../../storage/sharesRepository.ts'
import { sessionScope } from '../wallet/index.ts'
import { accessLogOf, getShare, listShares } from './shareActions.ts'

/** While the share screen is open, its access log is read again this often (signed requests). */
export const ACCESS_LOG_REFRESH_MS = 3_000

/**
 * Query keys of the share feature. Shares and access logs are private: their keys carry the
 * unlocked session's scope (sessionScope in the wallet feature), and they are kept only while a
 * screen shows them (gcTime 0), never stored as last known values.
 */
export const shareKeys = {
  all: ['share'] as const,
  local: (session: number) => [...shareKeys.all, 'local', session] as const,
  detail: (session: number, id: string) => [...shareKeys.local(session), 'detail', id] as const,
  accessLog: (session: number, id: string) => [...shareKeys.all, 'access-log', session, id] as const,
}

export const sharesQueryOptions = (keys: WalletKeys) =>
  queryOptions({ queryKey: shareKeys.local(sessionScope(keys)), queryFn: () => listShares(keys), staleTime: Infinity, gcTime: 0, retry: false })

export const shareQueryOptions = (keys: WalletKeys, id: string) =>
  queryOptions({ queryKey: shareKeys.detail(sessionScope(keys), id), queryFn: () => getShare(keys, id), staleTime: Infinity, gcTime: 0, retry: false })

/** The host's view of a share and its access log, signed by the patient's wallet. */
export const accessLogQueryOptions = (keys: WalletKeys, signer: PatientSigner, share: StoredShare, consent: StoredConsent) =>
  queryOptions({
    queryKey: shareKeys.accessLog(sessionScope(keys), share.id),
    queryFn: () => accessLogOf(signer, share, consent),
    gcTime: 0,
    retry: 1,
  })
