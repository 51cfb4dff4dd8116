import { bytesToHex, type Hex } from 'viem'
import { toArrayBufferBytes } from '../crypto/bytes.ts'

/**
 * The `dataHash` a grant commits to when it comes with a share: SHA-256 of the exact bytes the
 * patient encrypted into the share file (the FHIR Bundle's JSON, before compression). The
 * viewer hashes what it decrypted and compares, so a changed or swapped file shows as
 * tampered.
 *
 * @example
 * const bytes = new TextEncoder().encode(JSON.stringify(bundle))
 * const terms = createGrantTerms({ ...draft, dataHash: await sharedDataHash(bytes) }, { now })
 */
export async function sharedDataHash(plaintext: Uint8Array): Promise<Hex> {
  return bytesToHex(new Uint8Array(await crypto.subtle.digest('SHA-256', toArrayBufferBytes(plaintext))))
}
