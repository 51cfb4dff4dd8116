import { deriveAppKey } from '../domain/wallet/keys.ts'

/**
 * The AES-256-GCM key a store seals its rows with, derived from the wallet's root key material
 * under an HKDF label of its own, once per unlocked wallet (each unlock has a new root key).
 *
 * @example
 * export const consentsStorageKey = storageKeyFor('consents/v1')
 */
export function storageKeyFor(label: string): (root: CryptoKey) => Promise<CryptoKey> {
  const keys = new WeakMap<CryptoKey, Promise<CryptoKey>>()
  return (root) => {
    let key = keys.get(root)
    if (!key) {
      key = deriveAppKey(root, label, ['encrypt', 'decrypt'], 'AES-GCM')
      keys.set(root, key)
    }
    return key
  }
}
