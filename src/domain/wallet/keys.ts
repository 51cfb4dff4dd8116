import { bytesToHex } from 'viem'
import { HDKey, hdKeyToAccount, privateKeyToAccount, type HDAccount, type LocalAccount } from 'viem/accounts'
import { toArrayBufferBytes, utf8 } from '../crypto/bytes.ts'
import type { RecoveryPhrase } from './mnemonic.ts'

/** What an unlocked wallet holds in memory, and only there. */
export type WalletKeys = {
  /** The patient's Ethereum account at m/44'/60'/0'/0/0, signing locally. */
  account: HDAccount
  /**
   * HKDF key material derived from the BIP-39 seed. Non-extractable: features derive their
   * own keys from it with distinct labels (see deriveAppKey), so restoring the phrase
   * restores every key.
   */
  root: CryptoKey
  /**
   * The key of grant number `index` (0, 1, 2, …), on CareKey's own branch (GRANT_KEYS_PATH):
   * a fresh address per grant, never funded and unrelated on chain to `account` or to any
   * other grant's key.
   */
  grantAccount: (index: number) => LocalAccount
}

/** The standard Ethereum derivation path, account 0: the one account the patient may fund. */
export const ETHEREUM_PATH = "m/44'/60'/0'/0/0" as const

/**
 * CareKey's branch for per-grant keys: BIP-44 account 17227' (0x434B, "CK"), which wallets
 * scanning accounts 0', 1', 2'… for funds never reach; then 0' for the wallet's own person
 * (profiles get 1', 2'…), 0' for consent grants. Grant `i` signs with `GRANT_KEYS_PATH/i'`.
 * Every level is hardened, so no public key here lets anyone derive a sibling.
 */
export const GRANT_KEYS_PATH = "m/44'/60'/17227'/0'/0'" as const

const HARDENED_OFFSET = 0x80000000

/** The highest grant index (hardened BIP-32 indexes stop at 2^31 - 1). */
export const MAX_GRANT_INDEX = 2 ** 31 - 1

/**
 * The grant key at `index` below a branch node (GRANT_KEYS_PATH of a seed).
 *
 * @example
 * grantAccountAt(HDKey.fromMasterSeed(seed).derive(GRANT_KEYS_PATH), 0).address
 */
export function grantAccountAt(branch: HDKey, index: number): LocalAccount {
  if (!Number.isSafeInteger(index) || index < 0 || index > MAX_GRANT_INDEX) {
    throw new RangeError(`A grant key index is an integer from 0 to ${MAX_GRANT_INDEX}, not ${index}`)
  }
  const child = branch.deriveChild(index + HARDENED_OFFSET)
  if (!child.privateKey) throw new Error('The grant key branch holds no private key')
  return privateKeyToAccount(bytesToHex(child.privateKey))
}

/**
 * Derives the wallet's account and root key material from a validated recovery phrase.
 * The BIP-39 seed is computed with WebCrypto's PBKDF2-HMAC-SHA512 (2048 rounds, salt
 * "mnemonic", no BIP-39 passphrase), exactly as the standard says.
 *
 * @example
 * const { account } = await deriveWalletKeys(parseRecoveryPhrase('test test test test test test test test test test test junk'))
 * account.address // 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266
 */
export async function deriveWalletKeys(phrase: RecoveryPhrase): Promise<WalletKeys> {
  const seed = await bip39Seed(phrase)
  try {
    const master = HDKey.fromMasterSeed(seed)
    const account = hdKeyToAccount(master, { path: ETHEREUM_PATH })
    const grantBranch = master.derive(GRANT_KEYS_PATH)
    const root = await crypto.subtle.importKey('raw', seed, 'HKDF', false, ['deriveKey', 'deriveBits'])
    return { account, root, grantAccount: (index) => grantAccountAt(grantBranch, index) }
  } finally {
    seed.fill(0)
  }
}

/** BIP-39 seed of a phrase (64 bytes). */
export async function bip39Seed(phrase: string): Promise<Uint8Array<ArrayBuffer>> {
  const password = await crypto.subtle.importKey('raw', utf8.encode(phrase.normalize('NFKD')), 'PBKDF2', false, [
    'deriveBits',
  ])
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-512', salt: utf8.encode('mnemonic'), iterations: 2048 },
    password,
    512,
  )
  return new Uint8Array(bits)
}

/**
 * Derives a purpose-specific AES-256-GCM key from the wallet's root material with HKDF-SHA256.
 * Each purpose has its own label, so keys for records, backups and anything later never
 * coincide.
 *
 * @example
 * const recordsKey = await deriveAppKey(keys.root, 'records-key-wrapping/v1', ['wrapKey', 'unwrapKey'], 'AES-KW')
 */
export async function deriveAppKey(
  root: CryptoKey,
  label: string,
  usages: KeyUsage[],
  algorithm: 'AES-GCM' | 'AES-KW' = 'AES-GCM',
): Promise<CryptoKey> {
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: toArrayBufferBytes(utf8.encode('CareKey')), info: utf8.encode(label) },
    root,
    { name: algorithm, length: 256 },
    false,
    usages,
  )
}
