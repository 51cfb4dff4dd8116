import { hexToBytes, isHex, toHex, type Hex } from 'viem'

/** True for a 0x-prefixed hex string of exactly 32 bytes (either letter case). */
export function isBytes32(value: unknown): value is Hex {
  return typeof value === 'string' && value.length === 66 && isHex(value, { strict: true })
}

/** The same 32 bytes as lowercase hex, so that equal values compare equal as strings. */
export function normalizeBytes32(value: Hex): Hex {
  return toHex(hexToBytes(value))
}
