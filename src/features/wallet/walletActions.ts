import { CareKeyError } from '../../domain/errors.ts'
import { parseRecoveryPhrase, type RecoveryPhrase } from '../../domain/wallet/mnemonic.ts'
import { assertStrongPassphrase } from '../../domain/wallet/passphraseStrength.ts'
import { openVault, resealVault, sealVault, vaultNeedsUpgrade, VaultDamagedError } from '../../domain/wallet/vault.ts'
import { deleteCareKeyDb } from '../../storage/db.ts'
import { hasStoredVault, readVault, replaceVault, writeVault } from '../../storage/vaultRepository.ts'
import { keyring, type Keyring } from './keyring.ts'
import { deriveArgon2idInWorker } from './vaultKdfWorker.ts'

export class NoWalletError extends CareKeyError {
  constructor() {
    super('There is no wallet on this device yet.', 'Create a new wallet or restore one from its recovery phrase.')
  }
}

export class WalletExistsError extends CareKeyError {
  constructor() {
    super(
      'A wallet is already stored on this device.',
      'Unlock it, or remove it first (Settings → Remove wallet) if you want to restore a different one.',
    )
  }
}

export class ConcurrentChangeError extends CareKeyError {
  constructor() {
    super('The wallet was changed in another tab at the same time.', 'Nothing was changed here. Reload the page and try again.')
  }
}

// Deriving the account needs viem's HD key code; load it only when a wallet is opened.
const loadKeys = () => import('../../domain/wallet/keys.ts')

// Argon2id runs in a worker: the page stays responsive during the derivation.
const vaultOptions = { derive: deriveArgon2idInWorker }

/**
 * Encrypts and stores a new or restored wallet, then unlocks it. Refuses a passphrase that is
 * too short or too easy to guess (GuessablePassphraseError). Nothing is stored on failure.
 */
export async function storeNewWallet(phrase: RecoveryPhrase, passphrase: string, ring: Keyring = keyring): Promise<void> {
  if (await hasStoredVault()) throw new WalletExistsError()
  await assertStrongPassphrase(passphrase)
  // The account's keys are derived here while the worker runs Argon2id.
  const [keys, vault] = await Promise.all([
    loadKeys().then(({ deriveWalletKeys }) => deriveWalletKeys(phrase)),
    sealVault(phrase, passphrase, vaultOptions),
  ])
  await writeVault(vault)
  ring.set(keys)
}

/**
 * Opens the stored wallet with the passphrase and puts its keys in the keyring. A vault sealed
 * with an older KDF (PBKDF2, format 1) or a lower Argon2id cost than today's is re-sealed on the
 * way, replacing the stored one in one transaction only once the new one is sealed.
 */
export async function unlockWallet(passphrase: string, ring: Keyring = keyring): Promise<void> {
  const vault = await readVault()
  if (!vault) throw new NoWalletError()
  const [{ deriveWalletKeys }, secret] = await Promise.all([loadKeys(), openVault(vault, passphrase, vaultOptions)])
  let phrase: RecoveryPhrase
  try {
    phrase = parseRecoveryPhrase(secret)
  } catch (cause) {
    throw new VaultDamagedError('it does not hold a valid recovery phrase', { cause })
  }
  const keys = await deriveWalletKeys(phrase)
  if (vaultNeedsUpgrade(vault)) {
    // Raising the KDF cost is an improvement, not a condition of unlocking: when it cannot be
    // written now (another tab changed the vault, storage full) the next unlock tries again.
    // The phrase is already open: seal it again rather than opening the old vault twice.
    const upgraded = await sealVault(secret, passphrase, { ...vaultOptions, createdAt: vault.createdAt })
    await replaceVault(vault, upgraded).catch(() => false)
  }
  ring.set(keys)
}

/** Forgets the keys held in memory (kept beside the keyring, so locking loads none of this module). */
export { lockWallet } from './keyring.ts'

/**
 * Re-encrypts the stored phrase under a new passphrase, in one transaction. The new one must be
 * strong enough, as for a new wallet.
 */
export async function changePassphrase(current: string, next: string): Promise<void> {
  const vault = await readVault()
  if (!vault) throw new NoWalletError()
  await assertStrongPassphrase(next)
  const resealed = await resealVault(vault, current, next, vaultOptions)
  if (!(await replaceVault(vault, resealed))) throw new ConcurrentChangeError()
}

/** Locks and deletes everything CareKey stores on this device. Only the phrase can bring it back. */
export async function removeWallet(ring: Keyring = keyring): Promise<void> {
  ring.clear()
  await deleteCareKeyDb()
}
