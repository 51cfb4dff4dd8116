/**
 * Test support (never bundled): genuine CareKey share information for the share link's fuzz
 * tests, and what a viewer concludes from it.
 */
import fc from 'fast-check'
import { bytesToHex, getAddress, type Hex } from 'viem'
import { bearerGrantee, bearerSecretMatches } from '../domain/consent/grantee.ts'
import { grantCommitment } from '../domain/consent/commitment.ts'
import type { CareKeyShareInfo } from '../domain/shl/carekeyExtension.ts'

const bytes32: fc.Arbitrary<Hex> = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => bytesToHex(b))
const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => getAddress(bytesToHex(b)))

/**
 * The `_ck` contents of genuine CareKey shares: any chain, registry and terms, with a bearer
 * secret (and its hash as the grantee) a third of the time.
 *
 * @example
 * fc.property(shareInfo, (info) => { expect(readCareKeyExtension({ extensions: careKeyExtension(info) })).toEqual(info) })
 */
export const shareInfo: fc.Arbitrary<CareKeyShareInfo> = fc
  .record({
    chainId: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    registry: address,
    patient: address,
    grantee: bytes32,
    scopeHash: bytes32,
    purpose: bytes32,
    validFrom: fc.bigInt({ min: 0n, max: 2n ** 64n - 2n }),
    length: fc.bigInt({ min: 1n, max: 2n ** 40n }),
    dataHash: bytes32,
    salt: bytes32,
    bearerSecret: fc.option(bytes32, { nil: undefined, freq: 2 }),
  })
  .map(({ chainId, registry, patient, grantee, scopeHash, purpose, validFrom, length, dataHash, salt, bearerSecret }) => {
    const validUntil = validFrom + length > 2n ** 64n - 1n ? 2n ** 64n - 1n : validFrom + length
    return {
      chainId,
      registry,
      terms: { patient, grantee: bearerSecret ? bearerGrantee(bearerSecret) : grantee, scopeHash, purpose, validFrom, validUntil, dataHash, salt },
      ...(bearerSecret && { bearerSecret }),
    }
  })

/**
 * What a viewer checks of a share's `_ck`: the grant commitment it looks up on chain, and for a
 * bearer grant whether the secret in the link matches the grantee. A changed `_ck` that gets
 * past the decoder must fail one of them.
 *
 * @example
 * expect(viewerCheck(tampered)).not.toEqual(viewerCheck(original))
 */
export function viewerCheck(info: CareKeyShareInfo): { commitment: Hex; bearerMatches: boolean | undefined } {
  return {
    commitment: grantCommitment(info.terms, { chainId: info.chainId, registry: info.registry }),
    bearerMatches: info.bearerSecret === undefined ? undefined : bearerSecretMatches(info.terms.grantee, info.bearerSecret),
  }
}
