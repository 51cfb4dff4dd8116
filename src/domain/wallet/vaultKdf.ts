import { argon2id } from 'hash-wasm'

/**
 * Argon2id (RFC 9106) from `hash-wasm`, a maintained WebAssembly build that embeds its module
 * (no fetch, no eval: the page's policy allows WebAssembly with 'wasm-unsafe-eval'). Kept in
 * its own module so the app can run it in a worker (see features/wallet/vaultKdfWorker.ts) and
 * the first screen does not load it.
 */
export type Argon2idParams = {
  name: 'Argon2id'
  /** Memory in KiB (1024 bytes), as RFC 9106 counts it. */
  memoryKiB: number
  /** Passes over the memory (t). */
  passes: number
  /** Lanes (p). */
  parallelism: number
  salt: Uint8Array
}

/** Bytes derived per vault: the AES-256 key, then the material of the passphrase check. */
export const VAULT_KEY_MATERIAL_BYTES = 64

/**
 * Derives the vault's key material from the passphrase (NFKC-normalized, so the same
 * passphrase typed on another keyboard gives the same key).
 *
 * @example
 * const bits = await deriveArgon2idBits('my passphrase', { name: 'Argon2id', memoryKiB: 65536, passes: 3, parallelism: 1, salt })
 * bits.length // 64
 */
export async function deriveArgon2idBits(passphrase: string, params: Argon2idParams): Promise<Uint8Array> {
  // TextEncoder itself rather than crypto/bytes.ts, which would bring zod into the worker.
  const password = new TextEncoder().encode(passphrase.normalize('NFKC'))
  try {
    return await argon2id({
      password,
      salt: params.salt,
      memorySize: params.memoryKiB,
      iterations: params.passes,
      parallelism: params.parallelism,
      hashLength: VAULT_KEY_MATERIAL_BYTES,
      outputType: 'binary',
    })
  } finally {
    password.fill(0)
  }
}
