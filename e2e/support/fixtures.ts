import { test as base, expect } from '@playwright/test'
import AxeBuilder from '@axe-core/playwright'
import { WalletPage } from '../../scripts/lib/pages/WalletPage.ts'

export const KNOWN_PHRASE = 'test test test test test test test test test test test junk'
export const KNOWN_ADDRESS = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
export const PASSPHRASE = 'correct horse battery staple'

type Fixtures = {
  wallet: WalletPage
  /** A wallet restored from a given test phrase and unlocked, on the account screen. */
  unlockedWallet: WalletPage
  /** Runs axe-core on the page and fails on any serious or critical violation. */
  checkA11y: (context: string) => Promise<void>
  /** Fails any test during which the page reported a content security policy violation. */
  securityPolicyGuard: void
}

export const test = base.extend<Fixtures>({
  securityPolicyGuard: [
    async ({ page }, use) => {
      const violations: string[] = []
      page.on('console', (message) => {
        if (message.type() === 'error' && message.text().includes('Content Security Policy')) violations.push(message.text())
      })
      await use()
      expect(violations, 'content security policy violations').toEqual([])
    },
    { auto: true },
  ],
  wallet: async ({ page }, use) => {
    await use(new WalletPage(page))
  },
  unlockedWallet: async ({ page }, use) => {
    const wallet = new WalletPage(page)
    await wallet.open()
    await wallet.restore(KNOWN_PHRASE, PASSPHRASE)
    await wallet.expectAccount(KNOWN_ADDRESS)
    await use(wallet)
  },
  checkA11y: async ({ page }, use) => {
    await use(async (context) => {
      const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze()
      const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      expect(
        serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
        `accessibility violations on ${context}`,
      ).toEqual([])
    })
  },
})

export { expect }
