/**
 * The grant behind a CareKey share, kept at the share host beside the manifest so that the
 * link (and its QR code) stays short: the chain, the ConsentRegistry, the grant's terms, the
 * bearer secret of a "whoever holds this QR" grant and the patient's label, as JSON encrypted
 * under the link's key (JWE compact, `dir` + `A256GCM`, `cty` SHARE_GRANT_CONTENT_TYPE).
 *
 * The host serves it to anyone at `<manifest url>/grant` (GET, no passcode), so a viewer checks
 * the consent on chain before it asks for the passcode; the host cannot read it, and cannot
 * change or swap it unnoticed: AES-GCM authenticates it under a key only the link holds (every
 * share has its own), and the authenticated header names it a grant, never a share file.
 *
 * Plaintext (format 1):
 *   { "v": 1, "chainId": 31337, "registry": "0x…", "terms": { GrantTermsJson },
 *     "bearerSecret"?: "0x…", "label"?: "…" }
 */
import { CompactEncrypt } from 'jose'
import { getAddress } from 'viem'
import { z } from 'zod'
import { fromBase64Url, utf8 } from '../crypto/bytes.ts'
import { CareKeyError } from '../errors.ts'
import { addressSchema, bytes32Schema } from '../hex.ts'
import { grantTermsToJson, parseGrantTerms } from '../consent/terms.ts'
import type { CareKeyShareInfo } from './carekeyExtension.ts'
import { ShareFileTooLargeError, ShareFileUnreadableError, ShareGrantTooLargeError, ShareGrantUnreadableError } from './errors.ts'
import { decryptShareFile, inspectShareFile } from './jwe.ts'
import { MAX_LABEL_LENGTH } from './link.ts'

/** The `cty` of a grant's JWE: a grant is never taken for a share file, nor a share file for a grant. */
export const SHARE_GRANT_CONTENT_TYPE = 'application/vnd.carekey.grant+json'
/** The plaintext's format, its `v`. */
export const SHARE_GRANT_FORMAT = 1
/**
 * The longest grant JWE the host stores and a viewer reads, in characters. A grant with a bearer
 * secret and an 80-character label is about 1,100; anything near this is not a grant.
 */
export const MAX_SHARE_GRANT_LENGTH = 4096

/** The grant behind a share, as the viewer needs it: where it is recorded, its terms, and the patient's label for the share. */
export type ShareGrant = CareKeyShareInfo & {
  /** The patient's description of the share ("For Dr. Lee"), at most 80 characters. */
  label?: string
}

/**
 * Where a CareKey host serves the grant of a share: its manifest URL, then `/grant`.
 *
 * @example
 * shareGrantUrl('https://carekey.example.org/shl/Y9xw…') // 'https://carekey.example.org/shl/Y9xw…/grant'
 */
export function shareGrantUrl(manifestUrl: string): string {
  const url = new URL(manifestUrl)
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/grant`
  return url.toString()
}

/**
 * Encrypts a share's grant under the link's key, with a fresh IV, for the host to keep beside
 * the manifest.
 *
 * @example
 * const grant = await encryptShareGrant({ chainId: 31337, registry, terms, label: 'For Dr. Lee' }, share.key)
 * await createShare(target, signer, { …, grant })
 */
export async function encryptShareGrant(grant: ShareGrant, key: string): Promise<string> {
  const json = {
    v: SHARE_GRANT_FORMAT,
    chainId: grant.chainId,
    registry: grant.registry,
    terms: grantTermsToJson(grant.terms),
    ...(grant.bearerSecret !== undefined && { bearerSecret: grant.bearerSecret }),
    ...(grant.label !== undefined && { label: grant.label }),
  }
  const keyBytes = fromBase64Url(key)
  if (keyBytes.length !== 32) throw new RangeError('a share key is 32 bytes')
  const jwe = await new CompactEncrypt(utf8.encode(JSON.stringify(json)))
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', cty: SHARE_GRANT_CONTENT_TYPE })
    .encrypt(keyBytes)
  if (jwe.length > MAX_SHARE_GRANT_LENGTH) throw new RangeError(`a grant of ${jwe.length} characters is more than a host keeps`)
  return jwe
}

/**
 * Checks, without the key, that a text is a grant in the form CareKey makes: a JWE (`dir`,
 * `A256GCM`, not compressed) that names itself a CareKey grant, within MAX_SHARE_GRANT_LENGTH.
 * The share host checks uploads with it. Throws ShareGrantTooLargeError or ShareGrantUnreadableError.
 *
 * @example
 * inspectShareGrant(request.grant) // throws for plaintext sent by mistake
 */
export function inspectShareGrant(jwe: string): void {
  if (jwe.length > MAX_SHARE_GRANT_LENGTH) throw new ShareGrantTooLargeError(MAX_SHARE_GRANT_LENGTH)
  let header
  try {
    header = inspectShareFile(jwe)
  } catch (error) {
    if (error instanceof ShareFileUnreadableError) throw new ShareGrantUnreadableError(error.detail, { cause: error })
    throw error
  }
  if (header.cty !== SHARE_GRANT_CONTENT_TYPE) {
    throw new ShareGrantUnreadableError(`it is marked ${header.cty === undefined ? 'as nothing' : `"${header.cty.slice(0, 60)}"`}, not as a CareKey consent`)
  }
  if (header.zip !== undefined) throw new ShareGrantUnreadableError('it is compressed, and a CareKey consent never is')
}

const shareGrantJson = z.object({
  v: z.number(),
  chainId: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
  registry: addressSchema,
  terms: z.unknown(),
  bearerSecret: bytes32Schema.optional(),
  label: z
    .string()
    .refine((l) => [...l].length <= MAX_LABEL_LENGTH, `must be at most ${MAX_LABEL_LENGTH} characters`)
    .optional(),
})

/**
 * Decrypts a share's grant with the link's key and reads it: the chain, the registry, the terms
 * (checked as parseGrantTerms checks them), the bearer secret and the label. Throws
 * ShareGrantTooLargeError, or ShareGrantUnreadableError naming the problem (not a grant, a key
 * that does not open it, changed bytes, a field out of form).
 *
 * @example
 * const grant = await decryptShareGrant(await fetchText(shareGrantUrl(payload.url)), payload.key)
 * grant.terms.patient // the patient who granted
 */
export async function decryptShareGrant(jwe: string, key: string): Promise<ShareGrant> {
  const text = jwe.trim()
  inspectShareGrant(text)
  let plaintext: Uint8Array
  try {
    ;({ plaintext } = await decryptShareFile(text, key, { maxBytes: MAX_SHARE_GRANT_LENGTH }))
  } catch (error) {
    if (error instanceof ShareFileTooLargeError) throw new ShareGrantTooLargeError(MAX_SHARE_GRANT_LENGTH, { cause: error })
    if (error instanceof ShareFileUnreadableError) throw new ShareGrantUnreadableError(error.detail, { cause: error })
    throw error
  }
  let json: unknown
  try {
    json = JSON.parse(utf8.decode(plaintext))
  } catch (cause) {
    throw new ShareGrantUnreadableError('its content is not JSON', { cause })
  }
  const parsed = shareGrantJson.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new ShareGrantUnreadableError(`${issue?.path.join('.') || 'its content'}: ${issue?.message ?? 'is malformed'}`, { cause: parsed.error })
  }
  const grant = parsed.data
  if (grant.v !== SHARE_GRANT_FORMAT) throw new ShareGrantUnreadableError(`it is in format ${grant.v}, and this CareKey reads format ${SHARE_GRANT_FORMAT}`)
  let terms
  try {
    terms = parseGrantTerms(grant.terms)
  } catch (error) {
    if (error instanceof CareKeyError) throw new ShareGrantUnreadableError(`its terms are not valid (${error.userMessage})`, { cause: error })
    throw error
  }
  return {
    chainId: grant.chainId,
    registry: getAddress(grant.registry),
    terms,
    ...(grant.bearerSecret !== undefined && { bearerSecret: grant.bearerSecret }),
    ...(grant.label !== undefined && { label: grant.label }),
  }
}
