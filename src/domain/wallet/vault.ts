import { CareKeyError } from '../errors.ts'
import { bytesEqual, randomBytes, toArrayBufferBytes, toBase64Url, utf8 } from '../crypto/bytes.ts'
import { VAULT_KEY_MATERIAL_BYTES, type Argon2idParams } from './vaultKdf.ts'

export type { Argon2idParams } from './vaultKdf.ts'

/**
 * The patient's recovery phrase at rest: AES-256-GCM under a key derived from their
 * passphrase with Argon2id (64 MiB, 3 passes, 1 lane). The KDF parameters and salt are stored
 * beside the ciphertext (so they can be raised later) and bound to it as additional
 * authenticated data, so changing them breaks decryption instead of weakening it.
 *
 * Vaults of format 1 (PBKDF2-SHA256, written before Argon2id) still open, and are re-sealed
 * as format 2 at the next unlock (see {@link vaultNeedsUpgrade}).
 */
export type EncryptedVault = Argon2idVault | Pbkdf2Vault

/** The vault CareKey writes today. */
export type Argon2idVault = SealedParts & {
  format: typeof VAULT_FORMAT
  kdf: Argon2idParams
  /**
   * SHA-256 of everything but the ciphertext (format, KDF parameters, salt, check, IV). Not a
   * secret and not a MAC: it tells a damaged header from a wrong passphrase. A deliberate change
   * that recomputes it still cannot open the vault (the check and the AAD fail).
   */
  headerDigest: Uint8Array
}

/** A vault written before Argon2id: opened, never written again. */
export type Pbkdf2Vault = SealedParts & { format: typeof PBKDF2_VAULT_FORMAT; kdf: Pbkdf2Params }

type SealedParts = {
  /** SHA-256 of the second half of the derived bits: tells a wrong passphrase from damaged data. */
  check: Uint8Array
  iv: Uint8Array
  ciphertext: Uint8Array
  createdAt: number
  updatedAt: number
}

export type Pbkdf2Params = {
  name: 'PBKDF2-SHA256'
  iterations: number
  salt: Uint8Array
}

/** The cost of an Argon2id derivation: everything in its parameters but the salt. */
export type Argon2idCost = Pick<Argon2idParams, 'memoryKiB' | 'passes' | 'parallelism'>

export const VAULT_FORMAT = 2
export const PBKDF2_VAULT_FORMAT = 1

/**
 * The cost every new vault is sealed with: RFC 9106's second recommended option (64 MiB, 3
 * passes), with one lane (the WebAssembly build computes on one thread). About 350 ms in
 * headless Chromium on a 2-core machine; `npm run bench -- vault` reports it. Vaults sealed
 * cheaper are re-sealed at unlock.
 */
export const VAULT_KDF_COST: Readonly<Argon2idCost> = Object.freeze({ memoryKiB: 64 * 1024, passes: 3, parallelism: 1 })

/**
 * What a stored Argon2id vault may ask for. Below the floor it was not written by CareKey (it
 * never wrote weaker ones); above the ceiling a derivation would exhaust the tab. Both are
 * refused as damage.
 */
export const ACCEPTED_ARGON2ID_COST = Object.freeze({
  min: Object.freeze({ memoryKiB: 64 * 1024, passes: 3, parallelism: 1 }),
  max: Object.freeze({ memoryKiB: 1024 * 1024, passes: 16, parallelism: 8 }),
})

/** Format 1 vaults: below this they are refused as damaged rather than trusted. */
const MIN_ACCEPTED_ITERATIONS = 10_000
const MAX_ACCEPTED_ITERATIONS = 100_000_000
const SALT_BYTES = 16
const IV_BYTES = 12
const GCM_TAG_BYTES = 16
const DIGEST_BYTES = 32

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

/**
 * Runs Argon2id and returns 64 bytes of key material. The default runs it in this thread; the
 * app passes one that runs it in a worker, so the page stays responsive meanwhile.
 */
export type DeriveArgon2id = (passphrase: string, params: Argon2idParams) => Promise<Uint8Array>

const deriveInThisThread: DeriveArgon2id = async (passphrase, params) =>
  (await import('./vaultKdf.ts')).deriveArgon2idBits(passphrase, params)

export type SealOptions = {
  /** Tests only, for speed: a cheaper cost than {@link VAULT_KDF_COST}. Storage refuses such a vault. */
  cost?: Argon2idCost
  now?: number
  /** Keeps the creation time of the vault this one replaces. */
  createdAt?: number
  derive?: DeriveArgon2id
}

export type OpenOptions = { derive?: DeriveArgon2id }

/**
 * Encrypts a secret (the recovery phrase) under a passphrase, with Argon2id at
 * {@link VAULT_KDF_COST}.
 *
 * @example
 * const vault = await sealVault(phrase, 'correct horse battery staple')
 * const again = await openVault(vault, 'correct horse battery staple') // === phrase
 */
export async function sealVault(secret: string, passphrase: string, options: SealOptions = {}): Promise<Argon2idVault> {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) throw new WeakPassphraseError()
  const now = options.now ?? Date.now()
  const cost = options.cost ?? VAULT_KDF_COST
  const kdf: Argon2idParams = {
    name: 'Argon2id',
    memoryKiB: cost.memoryKiB,
    passes: cost.passes,
    parallelism: cost.parallelism,
    salt: randomBytes(SALT_BYTES),
  }
  const { key, check } = await deriveVaultKey(passphrase, kdf, options.derive ?? deriveInThisThread)
  const iv = randomBytes(IV_BYTES)
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: associatedData(VAULT_FORMAT, kdf) },
      key,
      utf8.encode(secret),
    ),
  )
  const headerDigest = await digestHeader(VAULT_FORMAT, kdf, check, iv)
  return { format: VAULT_FORMAT, kdf, check, iv, ciphertext, headerDigest, createdAt: options.createdAt ?? now, updatedAt: now }
}

/**
 * Decrypts a vault of either format. Throws WrongPassphraseError for a wrong passphrase and
 * VaultDamagedError when the stored data was changed or cut short.
 *
 * @example
 * const phrase = await openVault(await readVault(), passphrase)
 */
export async function openVault(vault: EncryptedVault, passphrase: string, options: OpenOptions = {}): Promise<string> {
  if (vault.format === VAULT_FORMAT && !bytesEqual(await digestHeader(vault.format, vault.kdf, vault.check, vault.iv), vault.headerDigest)) {
    throw new VaultDamagedError('its key derivation settings or integrity check were changed')
  }
  if (passphrase.length === 0) throw new WrongPassphraseError()
  const { key, check } = await deriveVaultKey(passphrase, vault.kdf, options.derive ?? deriveInThisThread)
  if (!bytesEqual(check, vault.check)) throw new WrongPassphraseError()
  let plaintext: ArrayBuffer
  try {
    plaintext = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: toArrayBufferBytes(vault.iv), additionalData: associatedData(vault.format, vault.kdf) },
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
 * Re-encrypts a vault under a new passphrase (and today's KDF), keeping its creation time. The
 * old passphrase must open it.
 *
 * @example
 * const changed = await resealVault(vault, 'old passphrase words', 'new passphrase words')
 */
export async function resealVault(
  vault: EncryptedVault,
  oldPassphrase: string,
  newPassphrase: string,
  options: SealOptions = {},
): Promise<Argon2idVault> {
  const secret = await openVault(vault, oldPassphrase, options)
  return sealVault(secret, newPassphrase, { ...options, createdAt: vault.createdAt })
}

/**
 * True when the vault should be sealed again: a format 1 (PBKDF2) vault, or an Argon2id one
 * with less memory or fewer passes than today's cost.
 *
 * @example
 * if (vaultNeedsUpgrade(vault)) await replaceVault(vault, await sealVault(phrase, passphrase, { createdAt: vault.createdAt }))
 */
export function vaultNeedsUpgrade(vault: EncryptedVault, cost: Argon2idCost = VAULT_KDF_COST): boolean {
  if (vault.format !== VAULT_FORMAT) return true
  return vault.kdf.memoryKiB < cost.memoryKiB || vault.kdf.passes < cost.passes
}

/**
 * Checks a value read from storage (possibly written by an older version, or damaged) and
 * returns it typed. Throws VaultDamagedError naming the first problem.
 *
 * @example
 * const vault = parseStoredVault(await db.get('vault', 'main'))
 */
export function parseStoredVault(value: unknown): EncryptedVault {
  if (typeof value !== 'object' || value === null) throw new VaultDamagedError('it is not a vault record')
  const v = value as Record<string, unknown>
  const kdf = v.kdf
  if (typeof kdf !== 'object' || kdf === null) throw new VaultDamagedError('its key derivation is missing')
  const parts: SealedParts = {
    check: bytesField(v.check, 'check', DIGEST_BYTES, DIGEST_BYTES),
    iv: bytesField(v.iv, 'iv', IV_BYTES, IV_BYTES),
    ciphertext: bytesField(v.ciphertext, 'ciphertext', GCM_TAG_BYTES + 1, 4096),
    createdAt: dateField(v.createdAt),
    updatedAt: dateField(v.updatedAt),
  }
  if (v.format === VAULT_FORMAT) {
    return {
      format: VAULT_FORMAT,
      kdf: parseArgon2idParams(kdf as Record<string, unknown>),
      ...parts,
      headerDigest: bytesField(v.headerDigest, 'headerDigest', DIGEST_BYTES, DIGEST_BYTES),
    }
  }
  if (v.format === PBKDF2_VAULT_FORMAT) return { format: PBKDF2_VAULT_FORMAT, kdf: parsePbkdf2Params(kdf as Record<string, unknown>), ...parts }
  throw new VaultDamagedError(`unknown format ${String(v.format)}`)
}

function parseArgon2idParams(kdf: Record<string, unknown>): Argon2idParams {
  if (kdf.name !== 'Argon2id') throw new VaultDamagedError('unknown key derivation')
  const { min, max } = ACCEPTED_ARGON2ID_COST
  const memoryKiB = boundedInteger(kdf.memoryKiB, 'memory', min.memoryKiB, max.memoryKiB)
  const passes = boundedInteger(kdf.passes, 'passes', min.passes, max.passes)
  const parallelism = boundedInteger(kdf.parallelism, 'lanes', min.parallelism, max.parallelism)
  return { name: 'Argon2id', memoryKiB, passes, parallelism, salt: bytesField(kdf.salt, 'salt', SALT_BYTES, SALT_BYTES) }
}

function parsePbkdf2Params(kdf: Record<string, unknown>): Pbkdf2Params {
  if (kdf.name !== 'PBKDF2-SHA256') throw new VaultDamagedError('unknown key derivation')
  const iterations = boundedInteger(kdf.iterations, 'iterations', MIN_ACCEPTED_ITERATIONS, MAX_ACCEPTED_ITERATIONS)
  return { name: 'PBKDF2-SHA256', iterations, salt: bytesField(kdf.salt, 'salt', SALT_BYTES, SALT_BYTES) }
}

function boundedInteger(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new VaultDamagedError(`its key derivation ${name} (${String(value)}) is outside ${min}–${max}`)
  }
  return value
}

function bytesField(value: unknown, name: string, min: number, max: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new VaultDamagedError(`${name} is missing`)
  if (value.length < min || value.length > max) throw new VaultDamagedError(`${name} has the wrong length`)
  return value
}

function dateField(value: unknown): number {
  if (typeof value !== 'number') throw new VaultDamagedError('missing dates')
  return value
}

async function deriveVaultKey(
  passphrase: string,
  kdf: Argon2idParams | Pbkdf2Params,
  derive: DeriveArgon2id,
): Promise<{ key: CryptoKey; check: Uint8Array }> {
  const bits = kdf.name === 'Argon2id' ? await derive(passphrase, kdf) : await derivePbkdf2Bits(passphrase, kdf)
  if (bits.length !== VAULT_KEY_MATERIAL_BYTES) throw new Error(`the key derivation returned ${bits.length} bytes`)
  const key = await crypto.subtle.importKey('raw', bits.slice(0, 32), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt'])
  const check = new Uint8Array(await crypto.subtle.digest('SHA-256', bits.slice(32)))
  bits.fill(0)
  return { key, check }
}

async function derivePbkdf2Bits(passphrase: string, kdf: Pbkdf2Params): Promise<Uint8Array> {
  const material = await crypto.subtle.importKey('raw', utf8.encode(passphrase.normalize('NFKC')), 'PBKDF2', false, [
    'deriveBits',
  ])
  return new Uint8Array(
    await crypto.subtle.deriveBits(
      { name: 'PBKDF2', hash: 'SHA-256', salt: toArrayBufferBytes(kdf.salt), iterations: kdf.iterations },
      material,
      VAULT_KEY_MATERIAL_BYTES * 8,
    ),
  )
}

function associatedData(format: EncryptedVault['format'], kdf: Argon2idParams | Pbkdf2Params): Uint8Array<ArrayBuffer> {
  const cost = kdf.name === 'Argon2id' ? `m=${kdf.memoryKiB},t=${kdf.passes},p=${kdf.parallelism}` : String(kdf.iterations)
  return utf8.encode(`carekey-vault:${format}:${kdf.name}:${cost}:${toBase64Url(kdf.salt)}`)
}

async function digestHeader(format: typeof VAULT_FORMAT, kdf: Argon2idParams, check: Uint8Array, iv: Uint8Array): Promise<Uint8Array> {
  const header = utf8.encode(`${utf8.decode(associatedData(format, kdf))}:${toBase64Url(check)}:${toBase64Url(iv)}`)
  return new Uint8Array(await crypto.subtle.digest('SHA-256', header))
}
