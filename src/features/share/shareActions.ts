import type { Address, Hex } from 'viem'
import { NotYourGrantError } from '../../chain/consentRegistryErrors.ts'
import {
  createShare,
  deactivateShare,
  readShareAccessLog,
  ShareHostRefusedError,
  ShareNotAvailableError,
  type PatientSigner,
  type ShareHostTarget,
} from '../../shareHost/client.ts'
import { CareKeyError } from '../../domain/errors.ts'
import type { ShareAccessLog } from '../../domain/shl/index.ts'
import type { WalletKeys } from '../../domain/wallet/keys.ts'
import { WalletLockedError } from '../../domain/wallet/errors.ts'
import type { StoredConsent } from '../../storage/consentsRepository.ts'
import { consentsStorageKey } from '../../storage/consentsRepository.ts'
import { readShare, readShares, writeShare, type StoredShare } from '../../storage/sharesRepository.ts'

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

export class ShareNotFoundError extends CareKeyError {
  constructor() {
    super('This consent QR code is not stored on this device.', 'Open My consents to find the consent it belonged to.')
  }
}

/** The encrypted file is gone from this device, so the share cannot be uploaded again. */
export class ShareFileMissingError extends CareKeyError {
  constructor() {
    super('The encrypted records of this share are no longer on this device.', 'Revoke this consent and grant a new one to share again.')
  }
}

/** How the share host is reached: `fetch` and the clock of signed requests (the platform's by default). */
export type ShareHostAccess = Pick<ShareHostTarget, 'fetch' | 'clock'>

/** The share host and signature domain of a share. */
export function shareTarget(
  share: Pick<StoredShare, 'hostUrl'>,
  consent: Pick<StoredConsent, 'chainId' | 'registry'>,
  access: ShareHostAccess = {},
): ShareHostTarget {
  return { hostUrl: share.hostUrl, chainId: consent.chainId, registry: consent.registry, ...access }
}

const keyOf = (keys: WalletKeys) => consentsStorageKey(keys.root)

/** Every share on this device, decrypted, newest first. */
export async function listShares(keys: WalletKeys) {
  return readShares(await keyOf(keys))
}

/** One share; ShareNotFoundError when there is none. */
export async function getShare(keys: WalletKeys, id: string): Promise<StoredShare> {
  const share = await readShare(await keyOf(keys), id)
  if (!share) throw new ShareNotFoundError()
  return share
}

async function update(keys: WalletKeys, id: string, change: (share: StoredShare) => Partial<StoredShare>): Promise<StoredShare> {
  const key = await keyOf(keys)
  const share = await readShare(key, id)
  if (!share) throw new ShareNotFoundError()
  const next = { ...share, ...change(share), updatedAt: Date.now() }
  await writeShare(key, next)
  return next
}

/**
 * Uploads a prepared share's encrypted file (and its encrypted grant) to its host, signed by the patient. The host
 * accepts it only once the consent is active on chain. A share the host already holds under
 * this random id (an upload whose reply was lost) counts as uploaded.
 *
 * @example
 * await uploadShare(keys, signer, share, consent)
 */
export async function uploadShare(keys: WalletKeys, signer: PatientSigner, share: StoredShare, consent: StoredConsent): Promise<StoredShare> {
  if (share.jwe === undefined) throw new ShareFileMissingError()
  try {
    await createShare(shareTarget(share, consent), signer, {
      id: share.hostShareId,
      patient: consent.terms.patient,
      commitment: consent.commitment,
      ...(share.passcode !== undefined && { passcode: share.passcode }),
      expiresAt: Number(consent.terms.validUntil),
      // The host checks the grant with its period, so it serves nothing before the consent starts.
      validFrom: Number(consent.terms.validFrom),
      validUntil: Number(consent.terms.validUntil),
      files: [{ contentType: 'application/fhir+json', jwe: share.jwe }],
      ...(share.grant !== undefined && { grant: share.grant }),
    })
  } catch (error) {
    if (!(error instanceof ShareHostRefusedError && error.code === 'share_exists')) throw error
  }
  return update(keys, share.id, () => ({ state: 'uploaded', uploadedAt: Date.now() }))
}

/**
 * Tells the host to delete a share (it answers 404 from then on) and marks it stopped here,
 * dropping the encrypted file from this device. A host that no longer knows the share is fine.
 *
 * @example
 * await deactivateUploadedShare(keys, signer, share, consent)
 */
export async function deactivateUploadedShare(
  keys: WalletKeys,
  signer: PatientSigner,
  share: StoredShare,
  consent: StoredConsent,
  access: ShareHostAccess = {},
): Promise<StoredShare> {
  if (share.state === 'uploaded') {
    try {
      await deactivateShare(shareTarget(share, consent, access), signer, share.hostShareId)
    } catch (error) {
      if (!(error instanceof ShareNotAvailableError)) throw error
    }
  }
  return update(keys, share.id, () => ({ state: 'stopped', stoppedAt: Date.now(), jwe: undefined }))
}

/** The share's status at its host and who opened it, oldest first. */
export function accessLogOf(signer: PatientSigner, share: StoredShare, consent: StoredConsent): Promise<ShareAccessLog> {
  return readShareAccessLog(shareTarget(share, consent), signer, share.hostShareId)
}

/** What stopping a share needs: the wallet's keys, the patient's signer, a revoke, the host. */
export type StopSharingDeps = {
  /** The unlocked wallet's keys (undefined while locked: WalletLockedError). */
  keys: WalletKeys | undefined
  /** The consent's patient signing the host's requests (undefined: another wallet, NotYourGrantError). */
  signer: PatientSigner | undefined
  /** Revokes the share's consent on chain and stores the revocation (the consent feature's revokeGrant). */
  revoke: (target: { patient: Address; commitment: Hex; consentId: string; grantKeyIndex: number | undefined }) => Promise<unknown>
  /** How the share host is reached; the platform's fetch and clock by default. */
  host?: ShareHostAccess
}

export type StopSharingRequest = {
  share: StoredShare
  consent: StoredConsent
  /** Revoke the consent first (while it is still active on chain). */
  revokeFirst: boolean
}

/**
 * Stop sharing: revokes the consent on chain (when asked, i.e. while it is still active), then
 * tells the host to delete the share and marks it stopped here. Revoking first means access
 * ends even if the host cannot be reached: then StopSharingIncompleteError says the link is
 * closed but the host still holds its encrypted copy, and the share stays uploaded here so that
 * deleting it can be tried again.
 *
 * @example
 * await stopSharing({ keys, signer, revoke: (target) => revokeGrant(chainDeps, target) }, { share, consent, revokeFirst: true })
 */
export async function stopSharing(deps: StopSharingDeps, { share, consent, revokeFirst }: StopSharingRequest): Promise<StoredShare> {
  if (!deps.keys) throw new WalletLockedError()
  if (!deps.signer) throw new NotYourGrantError()
  if (revokeFirst) await deps.revoke({ patient: consent.terms.patient, commitment: consent.commitment, consentId: consent.id, grantKeyIndex: consent.grantKeyIndex })
  try {
    return await deactivateUploadedShare(deps.keys, deps.signer, share, consent, deps.host)
  } catch (error) {
    if (revokeFirst && error instanceof CareKeyError) throw new StopSharingIncompleteError({ cause: error })
    throw error
  }
}

/**
 * Uploads a prepared share once its consent is recorded (uploadShare), for the patient's signer.
 *
 * @example
 * await uploadConsentShare({ keys, signer }, { share, consent })
 */
export function uploadConsentShare(
  deps: Pick<StopSharingDeps, 'keys' | 'signer'>,
  { share, consent }: Pick<StopSharingRequest, 'share' | 'consent'>,
): Promise<StoredShare> {
  if (!deps.keys) throw new WalletLockedError()
  if (!deps.signer) throw new NotYourGrantError()
  return uploadShare(deps.keys, deps.signer, share, consent)
}
