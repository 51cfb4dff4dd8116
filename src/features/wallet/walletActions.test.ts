import 'fake-indexeddb/auto'
import { beforeEach, describe, expect, it } from 'vitest'
import { parseRecoveryPhrase } from '../../domain/wallet/mnemonic.ts'
import { RECOMMENDED_KDF_ITERATIONS, sealVault, VaultDamagedError, WrongPassphraseError } from '../../domain/wallet/vault.ts'
import { openCareKeyDb, useDatabaseName } from '../../storage/db.ts'
import { readVault, writeVault } from '../../storage/vaultRepository.ts'
import { createKeyring } from './keyring.ts'
import { changePassphrase, removeWallet, storeNewWallet, unlockWallet, WalletExistsError } from './walletActions.ts'

const phrase = parseRecoveryPhrase('test test test test test test test test test test test junk')
const address = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
let n = 0

beforeEach(async () => {
  await useDatabaseName(`wallet-actions-${++n}`)
})

describe('wallet actions over IndexedDB', () => {
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

  it('raises the KDF cost of an old vault at unlock', async () => {
    await writeVault(await sealVault(phrase, 'correct horse battery', { iterations: 20_000 }))
    await unlockWallet('correct horse battery', createKeyring())
    expect((await readVault())?.kdf.iterations).toBe(RECOMMENDED_KDF_ITERATIONS)
    await unlockWallet('correct horse battery', createKeyring())
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

  it('removes the wallet and locks', async () => {
    const ring = createKeyring()
    await storeNewWallet(phrase, 'correct horse battery', ring)
    await removeWallet(ring)
    expect(ring.get()).toBeUndefined()
    expect(await readVault()).toBeUndefined()
  })
})
