import { bytesToHex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { expect, KNOWN_ADDRESS, KNOWN_PHRASE, PASSPHRASE, test } from './support/fixtures.ts'
import { dumpOriginStorage, truncateStoredVault } from './support/storage.ts'
import { PBKDF2_VAULT_PASSPHRASE, pbkdf2VaultRecord } from '../src/test/pbkdf2VaultFixture.ts'

test.describe('patient wallet', () => {
  test('create → confirm words → passphrase → address → reload locked → wrong passphrase refused → unlock', async ({ page, wallet, checkA11y }) => {
    await wallet.open()
    await expect(page.getByRole('heading', { name: 'Welcome to CareKey' })).toBeVisible()
    await checkA11y('welcome')

    await page.getByRole('link', { name: 'Create a new wallet' }).click()
    await expect(page.getByRole('heading', { name: 'Your recovery phrase' })).toBeVisible()
    await checkA11y('recovery phrase')
    await page.goBack()

    const words = await wallet.create(PASSPHRASE)
    const address = await wallet.expectAccount()
    expect(address).toBe(mnemonicToAccount(words.join(' ')).address)
    await checkA11y('account')

    await page.reload()
    await wallet.expectLocked()
    await checkA11y('unlock')

    await wallet.unlock('not the passphrase')
    await expect(page.getByRole('alert')).toContainText('That passphrase does not unlock this wallet.')
    await wallet.expectLocked()

    await wallet.unlock(PASSPHRASE)
    await wallet.expectAccount(address)
  })

  test('refuses wrong confirmation words and lets the patient see the phrase again', async ({ page, wallet }) => {
    await wallet.open()
    await page.getByRole('link', { name: 'Create a new wallet' }).click()
    await page.getByRole('button', { name: 'I have written them down' }).click()
    for (const field of await page.getByRole('textbox').all()) await field.fill('zoo')
    await page.getByRole('button', { name: 'Confirm' }).click()
    await expect(page.getByText(/That is not word \d+ of your phrase/).first()).toBeVisible()
    await expect(page.getByRole('heading', { name: 'Confirm your phrase' })).toBeVisible()
    await page.getByRole('button', { name: 'Show the phrase again' }).click()
    await expect(page.getByRole('list', { name: 'Recovery phrase' })).toBeVisible()
  })

  test('restoring a known phrase gives its known address', async ({ wallet, page, checkA11y }) => {
    await wallet.open()
    await page.getByRole('link', { name: 'Restore from a recovery phrase' }).click()
    await checkA11y('restore')
    await page.goBack()
    await wallet.restore(KNOWN_PHRASE, PASSPHRASE)
    await wallet.expectAccount(KNOWN_ADDRESS)
  })

  test('a bad phrase is explained and nothing is stored', async ({ page, wallet }) => {
    await wallet.open()
    await page.getByRole('link', { name: 'Restore from a recovery phrase' }).click()
    const input = page.getByRole('textbox', { name: 'Recovery phrase' })
    const submit = page.getByRole('button', { name: 'Continue' })

    await input.fill('test test test')
    await submit.click()
    await expect(page.getByRole('alert')).toContainText('this one has 3')

    await input.fill('test test test test abandn test test test test test test junk')
    await submit.click()
    await expect(page.getByRole('alert')).toContainText('Word 5, “abandn”, is not a recovery phrase word.')
    await expect(page.getByRole('alert')).toContainText('Did you mean “abandon”?')

    await input.fill('test test test test test test test test test test test test')
    await submit.click()
    await expect(page.getByRole('alert')).toContainText('checksum does not match')

    expect(await dumpOriginStorage(page)).not.toContain('Argon2id')
    await page.reload()
    await expect(page.getByRole('heading', { name: 'Restore your wallet' })).toBeVisible()
  })

  test('neither IndexedDB nor localStorage holds the phrase or the private key in plaintext', async ({ page, wallet }) => {
    await wallet.open()
    const words = await wallet.create(PASSPHRASE)
    await wallet.expectAccount()
    const phrase = words.join(' ')
    const privateKey = mnemonicToAccount(phrase).getHdKey().privateKey
    if (!privateKey) throw new Error('no private key')
    const stored = await dumpOriginStorage(page)

    expect(stored).toContain('Argon2id') // the dump did read the vault
    expect(stored).not.toContain(phrase)
    expect(stored).not.toContain(words.slice(0, 3).join(' '))
    expect(stored.toLowerCase()).not.toContain(bytesToHex(privateKey).slice(2))
    expect(stored).not.toContain(String.fromCharCode(...privateKey))
  })

  test('locks after the chosen time without use', async ({ page, unlockedWallet }) => {
    await page.clock.install()
    await page.getByRole('link', { name: 'Settings' }).click()
    await page.getByLabel('Lock after this long without use').selectOption('1')
    // The choice shows once it is stored and applied; only then does the minute start.
    await expect(page.getByLabel('Lock after this long without use')).toHaveValue('1')
    // The setting applies from the next unlock as well as now.
    await page.clock.fastForward('00:50')
    await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible()
    await page.clock.fastForward('00:15')
    await unlockedWallet.expectLocked()
  })

  test('the Lock button locks at once', async ({ page, unlockedWallet }) => {
    await page.getByRole('button', { name: 'Lock' }).click()
    await unlockedWallet.expectLocked()
    await unlockedWallet.unlock(PASSPHRASE)
    await unlockedWallet.expectAccount(KNOWN_ADDRESS)
  })

  test('changes the passphrase', async ({ page, unlockedWallet, checkA11y }) => {
    await page.getByRole('link', { name: 'Settings' }).click()
    await checkA11y('settings')
    await page.getByLabel('Current passphrase').fill(PASSPHRASE)
    await unlockedWallet.choosePassphrase('a new passphrase', 'Change passphrase')
    await expect(page.getByRole('status').filter({ hasText: 'Your passphrase was changed' })).toBeVisible()
    await page.reload()
    await unlockedWallet.unlock(PASSPHRASE)
    await expect(page.getByRole('alert')).toContainText('does not unlock')
    await unlockedWallet.unlock('a new passphrase')
    // Unlocking returns the patient to where they were.
    await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible()
  })

  test('refuses a passphrase that is too easy to guess, saying why, and stores nothing until a strong one is chosen', async ({ page, wallet }) => {
    await wallet.open()
    await page.getByRole('link', { name: 'Restore from a recovery phrase' }).click()
    await page.getByRole('textbox', { name: 'Recovery phrase' }).fill(KNOWN_PHRASE)
    await page.getByRole('button', { name: 'Continue' }).click()
    await wallet.choosePassphrase('Password2024!', 'Restore wallet')
    const field = page.getByLabel('New passphrase', { exact: true })
    await expect(field).toHaveAccessibleDescription(/This passphrase is too easy to guess\. This is similar to a commonly used password\. Add more words that are less common\./)
    await expect(field).toHaveAttribute('aria-invalid', 'true')
    await expect(page.getByRole('heading', { name: 'Choose a passphrase' })).toBeVisible()
    expect(await dumpOriginStorage(page)).not.toContain('Argon2id')

    await wallet.choosePassphrase(PASSPHRASE, 'Restore wallet')
    await wallet.expectAccount(KNOWN_ADDRESS)
  })

  test('a wallet stored before Argon2id (PBKDF2) unlocks and is sealed again with Argon2id', async ({ page, wallet }) => {
    await wallet.open()
    await expect(page.getByRole('heading', { name: 'Welcome to CareKey' })).toBeVisible()
    // The vault exactly as the PBKDF2 version of CareKey stored it, put where it kept it.
    await page.evaluate(async (record) => {
      const done = <T,>(request: IDBRequest<T>) =>
        new Promise<T>((resolve, reject) => {
          request.onsuccess = () => resolve(request.result)
          request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'))
        })
      const db = await done(indexedDB.open('carekey'))
      await done(db.transaction('vault', 'readwrite').objectStore('vault').put(record, 'main'))
      db.close()
    }, pbkdf2VaultRecord())
    await page.reload()
    await wallet.expectLocked()
    expect(await dumpOriginStorage(page)).toContain('PBKDF2-SHA256')

    await wallet.unlock(PBKDF2_VAULT_PASSPHRASE)
    await wallet.expectAccount(KNOWN_ADDRESS)
    const stored = await dumpOriginStorage(page)
    expect(stored).toContain('Argon2id')
    expect(stored).not.toContain('PBKDF2')

    await page.reload()
    await wallet.unlock(PBKDF2_VAULT_PASSPHRASE)
    await wallet.expectAccount(KNOWN_ADDRESS)
  })

  test('removes the wallet only after the typed confirmation', async ({ page, unlockedWallet, checkA11y }) => {
    await page.getByRole('link', { name: 'Settings' }).click()
    await page.getByRole('link', { name: /Remove wallet from this device/ }).click()
    await expect(page.getByText('Only your recovery phrase can bring the wallet back')).toBeVisible()
    await checkA11y('remove wallet')
    await page.getByLabel('Type REMOVE to confirm').fill('remove')
    await page.getByRole('button', { name: 'Remove wallet' }).click()
    await expect(page.getByText('Type REMOVE in capital letters to confirm.')).toBeVisible()
    await page.getByLabel('Type REMOVE to confirm').fill('REMOVE')
    await page.getByRole('button', { name: 'Remove wallet' }).click()
    await expect(page.getByRole('heading', { name: 'Welcome to CareKey' })).toBeVisible()
    await page.reload()
    await expect(page.getByRole('heading', { name: 'Welcome to CareKey' })).toBeVisible()
    await unlockedWallet.restore(KNOWN_PHRASE, PASSPHRASE)
    await unlockedWallet.expectAccount(KNOWN_ADDRESS)
  })

  test('a damaged vault gives a clear error and is left in place', async ({ page, unlockedWallet }) => {
    await truncateStoredVault(page)
    await page.reload()
    await unlockedWallet.unlock(PASSPHRASE)
    await expect(page.getByRole('alert')).toContainText('The wallet stored in this browser is damaged')
    await expect(page.getByRole('link', { name: /restore it from your recovery phrase/ })).toBeVisible()
    await page.reload()
    await unlockedWallet.expectLocked()
  })
})

test.describe('account and network', () => {
  test('shows network and balance, and the development faucet adds funds', async ({ page, unlockedWallet }) => {
    void unlockedWallet
    await expect(page.getByText('Local development chain')).toBeVisible()
    await expect(page.getByRole('img', { name: /QR code of your address/ })).toBeVisible()
    const balance = page.getByRole('definition').filter({ hasText: /ETH/ })
    await expect(balance).toBeVisible()
    const before = Number((await balance.textContent())?.split(' ')[0])
    await page.getByRole('button', { name: 'Get test funds (development chain)' }).click()
    await expect(balance).toHaveText(`${before + 10} ETH`)
  })

  test('with the chain unreachable the wallet still unlocks and says the network cannot be reached', async ({ page, wallet }) => {
    await page.route(`${process.env.CAREKEY_E2E_RPC_URL}/**`, (route) => route.abort('connectionrefused'))
    await page.route(`${process.env.CAREKEY_E2E_RPC_URL}`, (route) => route.abort('connectionrefused'))
    await wallet.open()
    await wallet.restore(KNOWN_PHRASE, PASSPHRASE)
    await wallet.expectAccount(KNOWN_ADDRESS)
    await expect(page.getByRole('alert').filter({ hasText: 'The network cannot be reached right now.' })).toBeVisible()
  })
})
