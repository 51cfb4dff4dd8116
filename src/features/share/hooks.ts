import { skipToken, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { isAddressEqual } from 'viem'
import { useSignTypedData } from 'wagmi'
import { NotYourGrantError } from '../../chain/consentRegistryErrors.ts'
import type { PatientSigner } from '../../shareHost/client.ts'
import { CareKeyError } from '../../domain/errors.ts'
import { WalletLockedError } from '../../domain/wallet/errors.ts'
import type { StoredConsent } from '../../storage/consentsRepository.ts'
import type { StoredShare } from '../../storage/sharesRepository.ts'
import { useRevokeGrant, useSigningAccount } from '../consent/index.ts'
import { useWalletKeys } from '../wallet/index.ts'
import { ACCESS_LOG_REFRESH_MS, accessLogQueryOptions, shareKeys, shareQueryOptions, sharesQueryOptions } from './queries.ts'
import { deactivateUploadedShare, uploadShare } from './shareActions.ts'

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
 * The connected wallet as the signer of the share host's management requests (EIP-712 through
 * wagmi's signTypedData, so a browser wallet works too), when it is the consent's patient.
 */
export function usePatientSigner(consent: StoredConsent | undefined): { signer: PatientSigner | undefined; isLocalWallet: boolean } {
  const { address, isLocalWallet } = useSigningAccount()
  const { mutateAsync: signTypedData } = useSignTypedData()
  if (!address || !consent || !isAddressEqual(address, consent.terms.patient)) return { signer: undefined, isLocalWallet }
  return { signer: { address, signTypedData: (typedData) => signTypedData(typedData) }, isLocalWallet }
}

function useInvalidateShares() {
  const queryClient = useQueryClient()
  return () => queryClient.invalidateQueries({ queryKey: shareKeys.all })
}

/** Uploads a prepared share once its consent is recorded. */
export function useUploadShare() {
  const keys = useWalletKeys()
  const invalidate = useInvalidateShares()
  return useMutation({
    mutationFn: ({ signer, share, consent }: { signer: PatientSigner | undefined; share: StoredShare; consent: StoredConsent }) => {
      if (!keys) throw new WalletLockedError()
      if (!signer) throw new NotYourGrantError()
      return uploadShare(keys, signer, share, consent)
    },
    onSettled: invalidate,
  })
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

/** The host said it deleted the share but the consent could not be revoked, or the other way round. */
export class StopSharingIncompleteError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super(
      'Your consent is revoked, so the link no longer opens. The share host could not be told to delete its encrypted copy yet.',
      'Try again to have the host delete it.',
      options,
    )
  }
}

/**
 * Stop sharing: revoke the consent on chain (when it is still active), then tell the host to
 * delete the share. Revoking first means access ends even if the host cannot be reached.
 */
export function useStopSharing() {
  const keys = useWalletKeys()
  const revoke = useRevokeGrant()
  const invalidate = useInvalidateShares()
  return useMutation({
    mutationFn: async ({
      signer,
      share,
      consent,
      revokeFirst,
    }: {
      signer: PatientSigner | undefined
      share: StoredShare
      consent: StoredConsent
      revokeFirst: boolean
    }) => {
      if (!keys) throw new WalletLockedError()
      if (!signer) throw new NotYourGrantError()
      if (revokeFirst) await revoke.mutateAsync({ patient: consent.terms.patient, commitment: consent.commitment, consentId: consent.id })
      try {
        return await deactivateUploadedShare(keys, signer, share, consent)
      } catch (error) {
        if (revokeFirst && error instanceof CareKeyError) throw new StopSharingIncompleteError({ cause: error })
        throw error
      }
    },
    onSettled: invalidate,
  })
}
