import { careKeyExtension, manifestUrlFor, shlinkViewerUrl } from '../../domain/shl/index.ts'
import type { StoredConsent } from '../../storage/consentsRepository.ts'
import type { StoredShare } from '../../storage/sharesRepository.ts'

/** The path of CareKey's viewer, a public route of the same app. */
export const VIEWER_PATH = '/view'

/**
 * The link a consent QR code holds: this app's viewer URL, then `#shlink:/` and the SMART
 * Health Link payload (base64url JSON): `url` (the manifest URL at the share host, with the
 * share's 256-bit random id), `key` (the file key), `exp` (the end of the grant), `flag`
 * (`L`, plus `P` with a passcode), `label`, and CareKey's `_ck` (chain, registry and the
 * grant's terms, with the bearer secret for a "whoever holds this QR" grant). The fragment
 * never reaches a server.
 *
 * @example
 * consentQrLink(share, consent, window.location.origin) // 'https://carekey.example.org/view#shlink:/eyJ1cmwiOi…'
 */
export function consentQrLink(share: StoredShare, consent: StoredConsent, origin: string): string {
  return shlinkViewerUrl(`${origin.replace(/\/+$/, '')}${VIEWER_PATH}`, {
    url: manifestUrlFor(share.hostUrl, share.hostShareId),
    key: share.key,
    exp: Number(consent.terms.validUntil),
    flags: share.flags,
    label: share.label,
    extensions: careKeyExtension({
      chainId: consent.chainId,
      registry: consent.registry,
      terms: consent.terms,
      ...(consent.grantee.kind === 'bearer' && { bearerSecret: consent.grantee.secret }),
    }),
  })
}
