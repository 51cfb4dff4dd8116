/**
 * The vault's Argon2id in a worker of its own (see vaultKdfWorker.ts): one derivation, then the
 * page terminates the worker, which frees its 64 MiB at once.
 */
import { deriveArgon2idBits, type Argon2idParams } from '../../domain/wallet/vaultKdf.ts'

export type VaultKdfRequest = { passphrase: string; params: Argon2idParams }
export type VaultKdfReply = { ok: true; bits: Uint8Array } | { ok: false; outOfMemory: boolean }

self.onmessage = ({ data }: MessageEvent<VaultKdfRequest>) => {
  void derive(data).then((reply) => self.postMessage(reply, { transfer: reply.ok ? [reply.bits.buffer] : [] }))
}

async function derive({ passphrase, params }: VaultKdfRequest): Promise<VaultKdfReply> {
  try {
    return { ok: true, bits: await deriveArgon2idBits(passphrase, params) }
  } catch (error) {
    // Nothing of the passphrase is in the error; only its kind goes back.
    return { ok: false, outOfMemory: error instanceof RangeError }
  }
}
