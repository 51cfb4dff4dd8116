import { careKeyExtension, careKeyShareLink, manifestUrlFor, shlinkViewerUrl } from '../../domain/shl/index.ts'
import type { StoredConsent } from '../../storage/consentsRepository.ts'
import type { StoredShare } from '../../storage/sharesRepository.ts'

/** The path of CareKey's viewer, a public route of the same app. */
export const VIEWER_PATH = '/view'

/**
 * The link a consent QR code holds: this app's viewer URL, then `#shlink:/` and the SMART
 * Health Link payload (base64url JSON): `url` (the manifest URL at the share host, with the
 * share's 256-bit random id), `key` (the file key), `flag` (`L`, plus `P` with a passcode) and
 * CareKey's `"_ck":2`: the grant's terms, the bearer secret of a "whoever I show this QR to"
 * grant and the label are at the share host, encrypted under the key (careKeyShareLink), so
 * the QR code is version 11 rather than 22. A share made before its grant went to the host
 * keeps its long link, with `exp`, `label` and the terms in `_ck`. The fragment never reaches
 * a server.
 *
 * @example
 * consentQrLink(share, consent, window.location.origin) // 'https://carekey.example.org/view#shlink:/eyJ1cmwiOi…'
 */
export function consentQrLink(share: StoredShare, consent: StoredConsent, origin: string): string {
  const viewerUrl = `${origin.replace(/\/+$/, '')}${VIEWER_PATH}`
  const manifestUrl = manifestUrlFor(share.hostUrl, share.hostShareId)
  if (share.grant !== undefined) return careKeyShareLink(viewerUrl, { manifestUrl, key: share.key, flags: share.flags })
  return shlinkViewerUrl(viewerUrl, {
    url: manifestUrl,
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
