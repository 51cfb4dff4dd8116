import workerUrl from './vaultKdf.worker.ts?worker&url'
import { CareKeyError } from '../../domain/errors.ts'
import type { DeriveArgon2id } from '../../domain/wallet/vault.ts'
import { trustedScriptUrl } from '../../platform/trustedTypes.ts'
import type { VaultKdfReply, VaultKdfRequest } from './vaultKdf.worker.ts'

export class KeyDerivationError extends CareKeyError {
  constructor(outOfMemory: boolean) {
    super(
      outOfMemory ? 'This device did not have enough free memory to open the wallet.' : 'CareKey could not start the wallet’s encryption.',
      outOfMemory ? 'Close other tabs or apps and try again.' : 'Reload the page and try again.',
    )
  }
}

/**
 * Runs the vault's Argon2id (64 MiB, about 350 ms) in a module worker, so the page stays
 * responsive meanwhile, and terminates it afterwards, so neither its memory nor the passphrase
 * stays behind. Uses the worker {@link prepareVaultKdfWorker} started, if any. Where there are
 * no workers (unit tests in Node) it runs in this thread.
 *
 * @example
 * await openVault(vault, passphrase, { derive: deriveArgon2idInWorker })
 */
export const deriveArgon2idInWorker: DeriveArgon2id = async (passphrase, params) => {
  if (typeof Worker === 'undefined') return (await import('../../domain/wallet/vaultKdf.ts')).deriveArgon2idBits(passphrase, params)
  const start = performance.now()
  const { worker, failed } = spare ?? startWorker()
  spare = undefined
  try {
    const reply = new Promise<Uint8Array>((resolve, reject) => {
      worker.onmessage = ({ data }: MessageEvent<VaultKdfReply>) => (data.ok ? resolve(data.bits) : reject(new KeyDerivationError(data.outOfMemory)))
    })
    worker.postMessage({ passphrase, params } satisfies VaultKdfRequest)
    return await Promise.race([reply, failed])
  } finally {
    worker.terminate()
    // For `npm run bench -- vault` (vault.kdf_ms): how long the page waited for the derivation.
    performance.measure(VAULT_KDF_MEASURE, { start })
  }
}

/** The User Timing entry each derivation in a worker leaves (its duration only). */
export const VAULT_KDF_MEASURE = 'carekey:vault-kdf'

type KdfWorker = { worker: Worker; failed: Promise<never> }
let spare: KdfWorker | undefined

/**
 * Starts the worker ahead of need, while the patient types their passphrase, so that pressing
 * Unlock does not wait for a thread to start and its script to load. At most one waits.
 *
 * @example
 * <input type="password" onFocus={prepareVaultKdfWorker} />
 */
export function prepareVaultKdfWorker(): void {
  if (typeof Worker !== 'undefined') spare ??= startWorker()
}

function startWorker(): KdfWorker {
  // A TrustedScriptURL, which Worker accepts where a string is typed (TypeScript's DOM types lack Trusted Types).
  const worker = new Worker(trustedScriptUrl(workerUrl) as string, { type: 'module', name: 'carekey-vault-kdf' })
  // From the start, so that a script that fails to load while the worker waits is not missed.
  const failed = new Promise<never>((_, reject) => {
    worker.onerror = (event) => {
      event.preventDefault()
      reject(new KeyDerivationError(false))
    }
  })
  // Reported by the derivation that uses this worker (Promise.race above), not here.
  failed.catch(() => undefined)
  return { worker, failed }
}

