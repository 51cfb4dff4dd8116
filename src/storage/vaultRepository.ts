import { bytesEqual } from '../domain/crypto/bytes.ts'
import { parseStoredVault, type EncryptedVault } from '../domain/wallet/vault.ts'
import { openCareKeyDb } from './db.ts'
import { storageCall } from './errors.ts'
import { abortTransaction } from './transactions.ts'

/** True when a wallet (damaged or not) is stored on this device. */
export async function hasStoredVault(): Promise<boolean> {
  const db = await openCareKeyDb()
  return storageCall(async () => (await db.count('vault', 'main')) > 0)
}

/** The stored vault, validated; undefined when there is none. Throws VaultDamagedError when damaged. */
export async function readVault(): Promise<EncryptedVault | undefined> {
  const db = await openCareKeyDb()
  const raw: unknown = await storageCall(() => db.get('vault', 'main'))
  return raw === undefined ? undefined : parseStoredVault(raw)
}

/** Writes the vault in one transaction (a vault is always written whole). */
export async function writeVault(vault: EncryptedVault): Promise<void> {
  const db = await openCareKeyDb()
  await storageCall(async () => {
    const tx = db.transaction('vault', 'readwrite')
    await Promise.all([tx.store.put(vault, 'main'), tx.done])
  })
}

/**
 * Replaces the vault only if the stored one is still `expected` (compared by its ciphertext),
 * so two tabs changing the passphrase at once cannot silently overwrite each other.
 */
export async function replaceVault(expected: EncryptedVault, next: EncryptedVault): Promise<boolean> {
  const db = await openCareKeyDb()
  return storageCall(async () => {
    const tx = db.transaction('vault', 'readwrite')
    const current: unknown = await tx.store.get('main')
    if (!isVaultWithCiphertext(current, expected.ciphertext)) {
      await abortTransaction(tx)
      return false
    }
    await tx.store.put(next, 'main')
    await tx.done
    return true
  })
}

function isVaultWithCiphertext(value: unknown, ciphertext: Uint8Array): boolean {
  if (typeof value !== 'object' || value === null || !('ciphertext' in value)) return false
  return value.ciphertext instanceof Uint8Array && bytesEqual(value.ciphertext, ciphertext)
}
