import { expect, type Page } from '@playwright/test'

/** What a patient does with the wallet screens, as steps a test can reuse. */
export class WalletPage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.goto('/')
  }

  /** Creates a wallet through the three steps and returns the phrase shown on screen. */
  async create(passphrase: string): Promise<string[]> {
    const { page } = this
    await page.getByRole('link', { name: 'Create a new wallet' }).click()
    await expect(page.getByRole('heading', { name: 'Your recovery phrase' })).toBeVisible()
    const words = (await page.getByRole('list', { name: 'Recovery phrase' }).getByRole('listitem').allTextContents()).map((t) =>
      t.replace(/^\d+\.\s*/, '').trim(),
    )
    expect(words).toHaveLength(12)
    await page.getByRole('button', { name: 'I have written them down' }).click()
    await expect(page.getByRole('heading', { name: 'Confirm your phrase' })).toBeVisible()
    for (const label of await page.locator('label', { hasText: /^Word \d+$/ }).allTextContents()) {
      const position = Number(label.replace(/\D/g, ''))
      await page.getByLabel(label, { exact: true }).fill(words[position - 1] ?? '')
    }
    await page.getByRole('button', { name: 'Confirm' }).click()
    await this.choosePassphrase(passphrase, 'Create wallet')
    return words
  }

  /**
   * Restores a wallet from its phrase. CareKey then looks for the wallet's online backup ("Restore
   * your records"); unless `onlineBackup` is 'stay', this leaves that screen at once ("Not now", or
   * "Go to my records" when none was found) for the records.
   */
  async restore(phrase: string, passphrase: string, { onlineBackup = 'skip' }: { onlineBackup?: 'skip' | 'stay' } = {}) {
    const { page } = this
    await page.getByRole('link', { name: 'Restore from a recovery phrase' }).click()
    await page.getByRole('textbox', { name: 'Recovery phrase' }).fill(phrase)
    await page.getByRole('button', { name: 'Continue' }).click()
    await this.choosePassphrase(passphrase, 'Restore wallet')
    await expect(page.getByRole('heading', { name: 'Restore your records' })).toBeVisible()
    if (onlineBackup === 'skip') await page.getByRole('button', { name: /^(Not now|Go to my records)$/ }).click()
  }

  async choosePassphrase(passphrase: string, submit: string) {
    const { page } = this
    await page.getByLabel('New passphrase', { exact: true }).fill(passphrase)
    await page.getByLabel('Repeat the passphrase').fill(passphrase)
    await page.getByRole('button', { name: submit }).click()
  }

  async unlock(passphrase: string) {
    const { page } = this
    await page.getByLabel('Passphrase', { exact: true }).fill(passphrase)
    await page.getByRole('button', { name: 'Unlock' }).click()
  }

  async expectLocked() {
    await expect(this.page.getByRole('heading', { name: 'Unlock CareKey' })).toBeVisible()
  }

  /** Opens the Account screen from the main navigation. */
  async openAccount() {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click()
  }

  async expectAccount(address?: string) {
    // The unlocked wallet opens on the records; the account is one tap away.
    await expect(this.page.getByRole('button', { name: 'Lock' })).toBeVisible()
    if (new URL(this.page.url()).pathname !== '/account') await this.openAccount()
    await expect(this.page.getByRole('heading', { name: 'Account' })).toBeVisible()
    const shown = this.page.getByTestId('account-address')
    if (address) await expect(shown).toHaveText(address)
    else await expect(shown).toHaveText(/^0x[0-9a-fA-F]{40}$/)
    return (await shown.textContent()) ?? ''
  }
}
