/**
 * CareKey's own part of a share link, in the `_ck` payload property, which other SMART Health
 * Links viewers ignore. It tells a CareKey viewer where to find the grant behind the share (the
 * chain, the ConsentRegistry and the terms), so that it checks the consent on chain itself
 * before it asks for the passcode.
 *
 * Links made today carry `"_ck":2`: the grant is at the share host, beside the manifest,
 * encrypted under the link's key (shareGrant.ts). The link is then the plain SHL payload plus
 * 8 bytes, a QR code of version 11 at error correction M for an origin like
 * https://carekey.example.org (see careKeyShareLink).
 *
 * Links made before carry the grant itself (`_ck` text, version 1), and CareKey keeps reading
 * them: one base64url string of fixed-width binary fields (225 bytes, 300 characters; 257 bytes
 * with a bearer secret), about 760 characters in all, a version 22 QR code.
 *
 *   version u8 (1) | chainId u64 | registry 20 | patient 20 | grantee 32 | scopeHash 32 |
 *   purpose 32 | validFrom u64 | validUntil u64 | dataHash 32 | salt 32 | [bearerSecret 32]
 *
 * The bearer secret is there for "whoever holds this QR" grants, whose grantee is the hash of
 * it: the viewer shows the secret matches. It is worth as much as the link's key.
 */
import { bytesToHex, getAddress, hexToBytes, isHex, type Address, type Hex } from 'viem'
import { fromBase64Url, toBase64Url } from '../crypto/bytes.ts'
import type { GrantTerms } from '../consent/terms.ts'
import { InvalidShareLinkError } from './errors.ts'
import { shlinkViewerUrl, type ShlFlag, type ShlPayload } from './link.ts'

export const CAREKEY_EXTENSION = '_ck' as const
/** The version byte of a grant carried in the link (`_ck` text), as links made before carry it. */
export const CAREKEY_EXTENSION_VERSION = 1
/** `_ck` of a link whose grant is at its share host, beside the manifest (shareGrant.ts). */
export const CAREKEY_GRANT_AT_HOST = 2

/** The terms of the grant behind a share: the consent domain's GrantTerms, field for field the contract struct. */
export type ShareGrantTerms = GrantTerms

/** Where and under which grant a CareKey share was made. */
export type CareKeyShareInfo = {
  chainId: number
  registry: Address
  terms: ShareGrantTerms
  /** For a bearer grant: the secret whose hash is the grantee. */
  bearerSecret?: Hex
}

const FIELDS = [
  ['version', 1],
  ['chainId', 8],
  ['registry', 20],
  ['patient', 20],
  ['grantee', 32],
  ['scopeHash', 32],
  ['purpose', 32],
  ['validFrom', 8],
  ['validUntil', 8],
  ['dataHash', 32],
  ['salt', 32],
] as const
const LENGTH = FIELDS.reduce((sum, [, size]) => sum + size, 0)
const BEARER_SECRET_LENGTH = 32
const MAX_U64 = 2n ** 64n - 1n

/**
 * What `_ck` says of a link: its grant is in the link (links made before, `info` read from
 * it), or at the share host beside the manifest (read it with fetchShareGrant).
 */
export type CareKeyLinkPart = { grant: 'in-link'; info: CareKeyShareInfo } | { grant: 'at-host' }

/**
 * The `_ck` of a link whose grant is at its share host: the link itself carries no terms.
 *
 * @example
 * encodeShlink({ url, key, flags: ['P'], extensions: careKeyGrantAtHost() }) // …,"_ck":2}
 */
export function careKeyGrantAtHost(): { [CAREKEY_EXTENSION]: typeof CAREKEY_GRANT_AT_HOST } {
  return { [CAREKEY_EXTENSION]: CAREKEY_GRANT_AT_HOST }
}

/**
 * The link of a CareKey share, as its QR code shows it: the viewer URL, then `#shlink:/` and
 * a plain SMART Health Link payload (`url`, `key`, `flag`) with `"_ck":2`. The label and the
 * end of the grant are in the grant at the host, not here: every character makes the QR code
 * denser, and the url and key alone already take most of a version 11 code.
 *
 * @example
 * careKeyShareLink('https://carekey.example.org/view', { manifestUrl, key, flags: ['L', 'P'] })
 * // 'https://carekey.example.org/view#shlink:/eyJ1cmwiOi…' (251 characters: a version 11 QR code at M)
 */
export function careKeyShareLink(viewerUrl: string, share: { manifestUrl: string; key: string; flags: readonly ShlFlag[] }): string {
  return shlinkViewerUrl(viewerUrl, { url: share.manifestUrl, key: share.key, flags: share.flags, extensions: careKeyGrantAtHost() })
}

/**
 * The `_ck` value of a link that carries its grant (the form CareKey made before the grant
 * moved to the share host); CareKey still reads these, and tests make them.
 *
 * @example
 * encodeShlink({ url, key, flags: ['P'], extensions: careKeyExtension({ chainId: 31337, registry, terms }) })
 */
export function careKeyExtension(info: CareKeyShareInfo): { [CAREKEY_EXTENSION]: string } {
  const bytes = new Uint8Array(LENGTH + (info.bearerSecret === undefined ? 0 : BEARER_SECRET_LENGTH))
  let at = 0
  const put = (field: string, size: number, value: Uint8Array) => {
    if (value.length !== size) throw new RangeError(`${field} must be ${size} bytes, it is ${value.length}`)
    bytes.set(value, at)
    at += size
  }
  put('version', 1, Uint8Array.of(CAREKEY_EXTENSION_VERSION))
  put('chainId', 8, u64(BigInt(info.chainId), 'chainId'))
  put('registry', 20, hexBytes(info.registry))
  put('patient', 20, hexBytes(info.terms.patient))
  put('grantee', 32, hexBytes(info.terms.grantee))
  put('scopeHash', 32, hexBytes(info.terms.scopeHash))
  put('purpose', 32, hexBytes(info.terms.purpose))
  put('validFrom', 8, u64(info.terms.validFrom, 'validFrom'))
  put('validUntil', 8, u64(info.terms.validUntil, 'validUntil'))
  put('dataHash', 32, hexBytes(info.terms.dataHash))
  put('salt', 32, hexBytes(info.terms.salt))
  if (info.bearerSecret !== undefined) put('bearerSecret', BEARER_SECRET_LENGTH, hexBytes(info.bearerSecret))
  return { [CAREKEY_EXTENSION]: toBase64Url(bytes) }
}

/**
 * Reads CareKey's part of a decoded payload: undefined for a link made by another SMART Health
 * Links app (no `_ck`); the grant read from the link for a link that carries it; `at-host` for
 * one whose grant is at its share host. Throws InvalidShareLinkError('_ck', …) for anything else.
 *
 * @example
 * const part = readCareKeyExtension(decodeShlink(text).payload)
 * if (part?.grant === 'in-link') part.info.terms.patient // the patient who granted
 */
export function readCareKeyExtension(payload: Pick<ShlPayload, 'extensions'>): CareKeyLinkPart | undefined {
  const value = payload.extensions[CAREKEY_EXTENSION]
  if (value === undefined) return undefined
  if (value === CAREKEY_GRANT_AT_HOST) return { grant: 'at-host' }
  if (typeof value !== 'string') {
    throw new InvalidShareLinkError(CAREKEY_EXTENSION, `must be text or ${CAREKEY_GRANT_AT_HOST}, it is ${typeof value === 'number' ? value : typeof value}`)
  }
  return { grant: 'in-link', info: readGrantInLink(value) }
}

function readGrantInLink(value: string): CareKeyShareInfo {
  let bytes: Uint8Array
  try {
    bytes = fromBase64Url(value)
  } catch (cause) {
    throw new InvalidShareLinkError(CAREKEY_EXTENSION, 'is not base64url', { cause })
  }
  if (bytes[0] !== CAREKEY_EXTENSION_VERSION) {
    throw new InvalidShareLinkError(CAREKEY_EXTENSION, `has version ${bytes[0] ?? 'none'}, this CareKey reads version ${CAREKEY_EXTENSION_VERSION}`)
  }
  if (bytes.length !== LENGTH && bytes.length !== LENGTH + BEARER_SECRET_LENGTH) {
    throw new InvalidShareLinkError(CAREKEY_EXTENSION, `must be ${LENGTH} or ${LENGTH + BEARER_SECRET_LENGTH} bytes, it has ${bytes.length}`)
  }

  const fields: Record<string, Uint8Array> = {}
  let at = 0
  for (const [name, size] of FIELDS) {
    fields[name] = bytes.subarray(at, at + size)
    at += size
  }
  const field = (name: (typeof FIELDS)[number][0]): Uint8Array => fields[name] ?? new Uint8Array()
  const chainId = readU64(field('chainId'))
  if (chainId === 0n || chainId > BigInt(Number.MAX_SAFE_INTEGER)) throw new InvalidShareLinkError(CAREKEY_EXTENSION, 'names an impossible chain id')
  const validFrom = readU64(field('validFrom'))
  const validUntil = readU64(field('validUntil'))
  if (validUntil <= validFrom) throw new InvalidShareLinkError(CAREKEY_EXTENSION, 'has a grant that ends before it starts')
  return {
    chainId: Number(chainId),
    registry: getAddress(bytesToHex(field('registry'))),
    terms: {
      patient: getAddress(bytesToHex(field('patient'))),
      grantee: bytesToHex(field('grantee')),
      scopeHash: bytesToHex(field('scopeHash')),
      purpose: bytesToHex(field('purpose')),
      validFrom,
      validUntil,
      dataHash: bytesToHex(field('dataHash')),
      salt: bytesToHex(field('salt')),
    },
    ...(bytes.length > LENGTH && { bearerSecret: bytesToHex(bytes.subarray(LENGTH)) }),
  }
}

function u64(value: bigint, field: string): Uint8Array {
  if (value < 0n || value > MAX_U64) throw new RangeError(`${field} does not fit in 64 bits`)
  const bytes = new Uint8Array(8)
  new DataView(bytes.buffer).setBigUint64(0, value)
  return bytes
}

function readU64(bytes: Uint8Array): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0)
}

function hexBytes(hex: Hex): Uint8Array {
  if (!isHex(hex, { strict: true })) throw new RangeError(`not hex bytes: ${String(hex).slice(0, 12)}…`)
  return hexToBytes(hex)
}
