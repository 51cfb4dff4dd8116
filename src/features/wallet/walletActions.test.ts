import 'fake-indexeddb/auto'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { GuessablePassphraseError } from '../../domain/wallet/passphraseStrength.ts'
import { parseRecoveryPhrase } from '../../domain/wallet/mnemonic.ts'
import { VAULT_KDF_COST, VaultDamagedError, WrongPassphraseError } from '../../domain/wallet/vault.ts'
import { openCareKeyDb, useDatabaseName } from '../../storage/db.ts'
import { hasStoredVault, readVault } from '../../storage/vaultRepository.ts'
import { PBKDF2_VAULT_PASSPHRASE, pbkdf2VaultRecord } from '../../test/pbkdf2VaultFixture.ts'
import { createKeyring } from './keyring.ts'
import { changePassphrase, removeWallet, storeNewWallet, unlockWallet, WalletExistsError } from './walletActions.ts'

const phrase = parseRecoveryPhrase('test test test test test test test test test test test junk')
const address = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
let n = 0

beforeEach(async () => {
  await useDatabaseName(`wallet-actions-${++n}`)
})
afterEach(() => vi.restoreAllMocks())

// These tests seal and open vaults at the production cost (Argon2id, 64 MiB: storage refuses
// less), a few hundred milliseconds each, several per test, on a machine that may be busy.
const REAL_KDF = { timeout: 30_000 }

describe('wallet actions over IndexedDB', REAL_KDF, () => {
  it('stores a new wallet encrypted and unlocks it; a new keyring (a reload) starts locked', async () => {
    const ring = createKeyring()
    await storeNewWallet(phrase, 'correct horse battery', ring)
    expect(ring.getAccount()?.address).toBe(address)

    const afterReload = createKeyring()
    expect(afterReload.get()).toBeUndefined()
    await unlockWallet('correct horse battery', afterReload)
    expect(afterReload.getAccount()?.address).toBe(address)
  })

  it('refuses a wrong passphrase and changes nothing', async () => {
    await storeNewWallet(phrase, 'correct horse battery', createKeyring())
    const before = await readVault()
    const ring = createKeyring()
    await expect(unlockWallet('wrong passphrase', ring)).rejects.toBeInstanceOf(WrongPassphraseError)
    expect(ring.get()).toBeUndefined()
    expect(await readVault()).toEqual(before)
  })

  it('will not overwrite a stored wallet', async () => {
    await storeNewWallet(phrase, 'correct horse battery', createKeyring())
    await expect(storeNewWallet(phrase, 'another passphrase', createKeyring())).rejects.toBeInstanceOf(WalletExistsError)
  })

  it('reports a damaged vault clearly and leaves it in place', async () => {
    await storeNewWallet(phrase, 'correct horse battery', createKeyring())
    const db = await openCareKeyDb()
    const stored = await db.get('vault', 'main')
    if (!stored) throw new Error('no vault')
    await db.put('vault', { ...stored, ciphertext: stored.ciphertext.slice(0, 5) }, 'main')
    await expect(unlockWallet('correct horse battery', createKeyring())).rejects.toBeInstanceOf(VaultDamagedError)
    expect(await db.count('vault')).toBe(1)
  })

  it('changes the passphrase in place', async () => {
    await storeNewWallet(phrase, 'correct horse battery', createKeyring())
    await changePassphrase('correct horse battery', 'new passphrase here')
    await expect(unlockWallet('correct horse battery', createKeyring())).rejects.toBeInstanceOf(WrongPassphraseError)
    const ring = createKeyring()
    await unlockWallet('new passphrase here', ring)
    expect(ring.getAccount()?.address).toBe(address)
  })

  it('refuses a passphrase that is too easy to guess, with the reason, and stores nothing', async () => {
    const ring = createKeyring()
    const refused = storeNewWallet(phrase, 'Password2024!', ring)
    await expect(refused).rejects.toBeInstanceOf(GuessablePassphraseError)
    await expect(refused).rejects.toThrow('This passphrase is too easy to guess. This is similar to a commonly used password.')
    expect(ring.get()).toBeUndefined()
    expect(await hasStoredVault()).toBe(false)
  })

  it('will not change to a passphrase that is too easy to guess, and keeps the current one', async () => {
    await storeNewWallet(phrase, 'correct horse battery', createKeyring())
    const before = await readVault()
    await expect(changePassphrase('correct horse battery', 'sunshine1')).rejects.toBeInstanceOf(GuessablePassphraseError)
    expect(await readVault()).toEqual(before)
  })

  it('removes the wallet and locks', async () => {
    const ring = createKeyring()
    await storeNewWallet(phrase, 'correct horse battery', ring)
    await removeWallet(ring)
    expect(ring.get()).toBeUndefined()
    expect(await readVault()).toBeUndefined()
  })
})

describe('a vault stored before Argon2id (PBKDF2)', REAL_KDF, () => {
  const storeOldVault = async () => (await openCareKeyDb()).put('vault', pbkdf2VaultRecord() as never, 'main')

  it('unlocks, and is re-sealed with Argon2id at today’s cost on the way', async () => {
    await storeOldVault()
    const ring = createKeyring()
    await unlockWallet(PBKDF2_VAULT_PASSPHRASE, ring)
    expect(ring.getAccount()?.address).toBe(address)

    const upgraded = await readVault()
    expect(upgraded?.format).toBe(2)
    expect(upgraded?.kdf).toMatchObject({ name: 'Argon2id', ...VAULT_KDF_COST })
    expect(upgraded?.createdAt).toBe(pbkdf2VaultRecord().createdAt)

    // The new vault opens with the same passphrase, and is not sealed again.
    const again = createKeyring()
    await unlockWallet(PBKDF2_VAULT_PASSPHRASE, again)
    expect(again.getAccount()?.address).toBe(address)
    expect(await readVault()).toEqual(upgraded)
  })

  it('keeps the old vault when the new one cannot be written, and unlocks all the same', async () => {
    await storeOldVault()
    const realPut = Object.getOwnPropertyDescriptor(IDBObjectStore.prototype, 'put')?.value as IDBObjectStore['put']
    let refusedWrites = 0
    const put = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === 'vault') {
        refusedWrites++
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
      }
      return Reflect.apply(realPut, this, args)
    })
    const ring = createKeyring()
    try {
      await unlockWallet(PBKDF2_VAULT_PASSPHRASE, ring)
    } finally {
      put.mockRestore()
    }
    expect(refusedWrites).toBe(1)
    expect(ring.getAccount()?.address).toBe(address)
    expect(await readVault()).toEqual(pbkdf2VaultRecord())

    // The next unlock, with room to write, upgrades it.
    await unlockWallet(PBKDF2_VAULT_PASSPHRASE, createKeyring())
    expect((await readVault())?.format).toBe(2)
  })

  it('refuses a wrong passphrase and leaves the old vault as it was', async () => {
    await storeOldVault()
    await expect(unlockWallet('not the passphrase', createKeyring())).rejects.toBeInstanceOf(WrongPassphraseError)
    expect(await readVault()).toEqual(pbkdf2VaultRecord())
  })
})
