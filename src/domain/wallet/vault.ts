import { CareKeyError } from '../errors.ts'
import { bytesEqual, randomBytes, toArrayBufferBytes, toBase64Url, utf8 } from '../crypto/bytes.ts'

/**
 * The patient's recovery phrase at rest: AES-256-GCM under a key derived from their
 * passphrase with PBKDF2-HMAC-SHA256. The KDF parameters and salt are stored beside the
 * ciphertext (so they can be raised later) and bound to it as additional authenticated data,
 * so changing them breaks decryption instead of weakening it.
 */
export type EncryptedVault = {
  format: typeof VAULT_FORMAT
  kdf: KdfParams
  /** SHA-256 of the second half of the derived bits: tells a wrong passphrase from damaged data. */
  check: Uint8Array
  iv: Uint8Array
  ciphertext: Uint8Array
  createdAt: number
  updatedAt: number
}

export type KdfParams = {
  name: 'PBKDF2-SHA256'
  iterations: number
  salt: Uint8Array
}

export const VAULT_FORMAT = 1

/**
 * OWASP's password storage cheat sheet (2023 onwards) asks for at least 600,000 iterations of
 * PBKDF2-HMAC-SHA256. Vaults sealed with fewer are re-sealed at the next unlock.
 */
export const RECOMMENDED_KDF_ITERATIONS = 600_000

/** Below this, a stored vault is refused as damaged rather than trusted. */
const MIN_ACCEPTED_ITERATIONS = 10_000
const MAX_ACCEPTED_ITERATIONS = 100_000_000
const SALT_BYTES = 16
const IV_BYTES = 12
const GCM_TAG_BYTES = 16

export const MIN_PASSPHRASE_LENGTH = 8

export class WrongPassphraseError extends CareKeyError {
  constructor() {
    super('That passphrase does not unlock this wallet.', 'Check caps lock and try again.')
  }
}

export class VaultDamagedError extends CareKeyError {
  constructor(detail: string, options?: ErrorOptions) {
    super(
      `The wallet stored in this browser is damaged (${detail}), so it cannot be opened.`,
      'Nothing was changed. You can remove it and restore the wallet from your recovery phrase.',
      options,
    )
  }
}

export class WeakPassphraseError extends CareKeyError {
  constructor() {
    super(
      `A passphrase needs at least ${MIN_PASSPHRASE_LENGTH} characters.`,
      'A few unrelated words are easy to remember and hard to guess.',
    )
  }
}

export type SealOptions = { iterations?: number; now?: number }

/**
 * Encrypts a secret (the recovery phrase) under a passphrase.
 *
 * @example
 * const vault = await sealVault(phrase, 'correct horse battery staple')
 * const again = await openVault(vault, 'correct horse battery staple') // === phrase
 */
export async function sealVault(secret: string, passphrase: string, options: SealOptions = {}): Promise<EncryptedVault> {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) throw new WeakPassphraseError()
  const now = options.now ?? Date.now()
  const kdf: KdfParams = {
    name: 'PBKDF2-SHA256',
    iterations: options.iterations ?? RECOMMENDED_KDF_ITERATIONS,
    salt: randomBytes(SALT_BYTES),
  }
  const { key, check } = await deriveVaultKey(passphrase, kdf)
  const iv = randomBytes(IV_BYTES)
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: associatedData(kdf) },
      key,
      utf8.encode(secret),
    ),
  )
  return { format: VAULT_FORMAT, kdf, check, iv, ciphertext, createdAt: now, updatedAt: now }
}

/**
 * Decrypts a vault. Throws WrongPassphraseError for a wrong passphrase and VaultDamagedError
 * when the stored data was changed or cut short.
 */
export async function openVault(vault: EncryptedVault, passphrase: string): Promise<string> {
  const { key, check } = await deriveVaultKey(passphrase, vault.kdf)
  if (!bytesEqual(check, vault.check)) throw new WrongPassphraseError()
  let plaintext: ArrayBuffer
  try {
    plaintext = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: toArrayBufferBytes(vault.iv), additionalData: associatedData(vault.kdf) },
      key,
      toArrayBufferBytes(vault.ciphertext),
    )
  } catch (cause) {
    throw new VaultDamagedError('its contents fail the integrity check', { cause })
  }
  try {
    return utf8.decode(new Uint8Array(plaintext))
  } catch (cause) {
    throw new VaultDamagedError('its contents are not text', { cause })
  }
}

/**
 * Re-encrypts a vault under a new passphrase (and the current KDF parameters), keeping its
 * creation time. The old passphrase must open it.
 */
export async function resealVault(
  vault: EncryptedVault,
  oldPassphrase: string,
  newPassphrase: string,
  options: SealOptions = {},
): Promise<EncryptedVault> {
  const secret = await openVault(vault, oldPassphrase)
  const sealed = await sealVault(secret, newPassphrase, options)
  return { ...sealed, createdAt: vault.createdAt }
}

/** True when the vault was sealed with weaker KDF parameters than recommended now. */
export function vaultNeedsUpgrade(vault: EncryptedVault, iterations = RECOMMENDED_KDF_ITERATIONS): boolean {
  return vault.kdf.iterations < iterations
}

/**
 * Checks a value read from storage (possibly written by an older version, or damaged) and
 * returns it typed. Throws VaultDamagedError naming the first problem.
 */
export function parseStoredVault(value: unknown): EncryptedVault {
  if (typeof value !== 'object' || value === null) throw new VaultDamagedError('it is not a vault record')
  const v = value as Record<string, unknown>
  if (v.format !== VAULT_FORMAT) throw new VaultDamagedError(`unknown format ${String(v.format)}`)
  const kdf = v.kdf as Record<string, unknown> | undefined
  if (typeof kdf !== 'object' || kdf === null || kdf.name !== 'PBKDF2-SHA256') {
    throw new VaultDamagedError('unknown key derivation')
  }
  const iterations = kdf.iterations
  if (
    typeof iterations !== 'number' ||
    !Number.isInteger(iterations) ||
    iterations < MIN_ACCEPTED_ITERATIONS ||
    iterations > MAX_ACCEPTED_ITERATIONS
  ) {
    throw new VaultDamagedError('implausible key derivation parameters')
  }
  const salt = bytesField(kdf.salt, 'salt', SALT_BYTES, SALT_BYTES)
  const check = bytesField(v.check, 'check', 32, 32)
  const iv = bytesField(v.iv, 'iv', IV_BYTES, IV_BYTES)
  const ciphertext = bytesField(v.ciphertext, 'ciphertext', GCM_TAG_BYTES + 1, 4096)
  if (typeof v.createdAt !== 'number' || typeof v.updatedAt !== 'number') throw new VaultDamagedError('missing dates')
  return {
    format: VAULT_FORMAT,
    kdf: { name: 'PBKDF2-SHA256', iterations, salt },
    check,
    iv,
    ciphertext,
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
  }
}

function bytesField(value: unknown, name: string, min: number, max: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new VaultDamagedError(`${name} is missing`)
  if (value.length < min || value.length > max) throw new VaultDamagedError(`${name} has the wrong length`)
  return value
}

async function deriveVaultKey(passphrase: string, kdf: KdfParams): Promise<{ key: CryptoKey; check: Uint8Array }> {
  const material = await crypto.subtle.importKey('raw', utf8.encode(passphrase.normalize('NFKC')), 'PBKDF2', false, [
    'deriveBits',
  ])
  const bits = new Uint8Array(
    await crypto.subtle.deriveBits(
      { name: 'PBKDF2', hash: 'SHA-256', salt: toArrayBufferBytes(kdf.salt), iterations: kdf.iterations },
      material,
      512,
    ),
  )
  const key = await crypto.subtle.importKey('raw', bits.slice(0, 32), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt'])
  const check = new Uint8Array(await crypto.subtle.digest('SHA-256', bits.slice(32)))
  bits.fill(0)
  return { key, check }
}

function associatedData(kdf: KdfParams): Uint8Array<ArrayBuffer> {
  return utf8.encode(`carekey-vault:${VAULT_FORMAT}:${kdf.name}:${kdf.iterations}:${toBase64Url(kdf.salt)}`)
}
