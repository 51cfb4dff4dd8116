import type { StoredConsent } from '../../storage/consentsRepository.ts'
import type { StoredShare } from '../../storage/sharesRepository.ts'

/**
 * The consent QR code to show first: the newest share that is uploaded (or still being made)
 * and not stopped, whose consent has not ended or been revoked from this device. The share
 * screen then reads the consent's status from chain.
 *
 * @example
 * const share = currentShare(shares, new Map(consents.map((c) => [c.id, c])), new Date())
 */
export function currentShare(shares: readonly StoredShare[], consents: ReadonlyMap<string, StoredConsent>, now: Date): StoredShare | undefined {
  return [...shares]
    .sort((a, b) => b.createdAt - a.createdAt)
    .find((share) => {
      const consent = consents.get(share.consentId)
      if (!consent || share.state === 'stopped' || consent.revokeTx) return false
      // A grant that was never sent (or was refused) has no QR code to show.
      if (consent.state === 'signing' || consent.state === 'failed') return false
      return Number(consent.terms.validUntil) * 1000 > now.getTime()
    })
}
