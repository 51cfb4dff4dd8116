import { skipToken, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { isAddressEqual } from 'viem'
import { useSignTypedData } from 'wagmi'
import type { PatientSigner } from '../../shareHost/client.ts'
import type { StoredConsent } from '../../storage/consentsRepository.ts'
import type { StoredShare } from '../../storage/sharesRepository.ts'
import { useRevokeGrant, useSigningAccount } from '../consent/index.ts'
import { useWalletKeys } from '../wallet/index.ts'
import { ACCESS_LOG_REFRESH_MS, accessLogQueryOptions, shareKeys, shareQueryOptions, sharesQueryOptions } from './queries.ts'
import { stopSharing, uploadConsentShare } from './shareActions.ts'

export { StopSharingIncompleteError } from './shareActions.ts'

/** Every share on this device, decrypted. */
export function useShares() {
  const keys = useWalletKeys()
  return useQuery(keys ? sharesQueryOptions(keys) : { queryKey: shareKeys.local(0), queryFn: skipToken })
}

/** One share on this device. */
export function useShare(id: string) {
  const keys = useWalletKeys()
  return useQuery(keys ? shareQueryOptions(keys, id) : { queryKey: shareKeys.detail(0, id), queryFn: skipToken })
}

/**
 * The signer of the share host's management requests (EIP-712): the consent's per-grant key,
 * on this device; or, for a consent made from an account, the connected wallet when it is that
 * account (through wagmi's signTypedData, so a browser wallet works too).
 */
export function usePatientSigner(consent: StoredConsent | undefined): { signer: PatientSigner | undefined; isLocalWallet: boolean } {
  const keys = useWalletKeys()
  const { address, isLocalWallet } = useSigningAccount()
  const { mutateAsync: signTypedData } = useSignTypedData()
  if (keys && consent?.grantKeyIndex !== undefined) {
    const grantKey = keys.grantAccount(consent.grantKeyIndex)
    if (isAddressEqual(grantKey.address, consent.terms.patient)) return { signer: grantKey, isLocalWallet: true }
  }
  if (!address || !consent || !isAddressEqual(address, consent.terms.patient)) return { signer: undefined, isLocalWallet }
  return { signer: { address, signTypedData: (typedData) => signTypedData(typedData) }, isLocalWallet }
}

function useInvalidateShares() {
  const queryClient = useQueryClient()
  return () => queryClient.invalidateQueries({ queryKey: shareKeys.all })
}

/** Uploads the prepared share once its consent is recorded (the share, with its key, is held by the closure). */
export function useUploadShare(signer: PatientSigner | undefined, share: StoredShare, consent: StoredConsent) {
  const keys = useWalletKeys()
  const invalidate = useInvalidateShares()
  return useMutation({ mutationFn: () => uploadConsentShare({ keys, signer }, { share, consent }), onSettled: invalidate })
}

/**
 * Who opened the share (and the host's view of it), read again every few seconds while shown.
 * With a browser wallet each read asks for a signature, so it is read on request only.
 */
export function useAccessLog(signer: PatientSigner | undefined, share: StoredShare | undefined, consent: StoredConsent | undefined, poll: boolean) {
  const keys = useWalletKeys()
  const ready = keys && signer && share && consent && share.state === 'uploaded'
  return useQuery(
    ready
      ? { ...accessLogQueryOptions(keys, signer, share, consent), refetchInterval: poll ? ACCESS_LOG_REFRESH_MS : false }
      : { queryKey: shareKeys.accessLog(0, share?.id ?? ''), queryFn: skipToken },
  )
}

/**
 * Stop sharing (stopSharing): revoke the consent on chain when asked, then have the host delete
 * the share. The share (with its key and passcode) is held by the closure; the variable is
 * only whether to revoke first.
 */
export function useStopSharing(signer: PatientSigner | undefined, share: StoredShare, consent: StoredConsent) {
  const keys = useWalletKeys()
  const revoke = useRevokeGrant()
  const invalidate = useInvalidateShares()
  return useMutation({
    mutationFn: (revokeFirst: boolean) => stopSharing({ keys, signer, revoke: revoke.mutateAsync }, { share, consent, revokeFirst }),
    onSettled: invalidate,
  })
}
