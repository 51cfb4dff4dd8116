import { test as base, chromium, expect, type Browser, type BrowserContext, type LaunchOptions } from '@playwright/test'
import AxeBuilder from '@axe-core/playwright'
import { chromiumArgs, resolveChromium } from '../../scripts/lib/browser.ts'
import { WalletPage } from '../../scripts/lib/pages/WalletPage.ts'
import { e2eSecurityPolicy, SecurityPolicyGuard } from './securityPolicy.ts'

export const KNOWN_PHRASE = 'test test test test test test test test test test test junk'
export const KNOWN_ADDRESS = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
export const PASSPHRASE = 'correct horse battery staple'

type Fixtures = {
  wallet: WalletPage
  /** A wallet restored from a given test phrase and unlocked, on the account screen. */
  unlockedWallet: WalletPage
  /** Runs axe-core on the page and fails on any serious or critical violation. */
  checkA11y: (context: string) => Promise<void>
  /**
   * Fails any test during which a page reported a content security policy or Trusted Types
   * violation, or a CareKey page was not under the configuration's policy: the test's own context,
   * every context its browser opens (`browser.newContext()`, `browser.newPage()`) and every
   * Chromium started with `ownChromium`. `check()` reports (and forgets) what it saw so far.
   */
  securityPolicyGuard: SecurityPolicyGuard
  /**
   * A Chromium of the test's own (a fake camera, a persistent profile), watched by the guard and
   * closed after the test. Specs start no browser any other way (the lint rule says so).
   */
  ownChromium: {
    launch(options?: LaunchOptions): Promise<Browser>
    launchPersistentContext(userDataDir: string, options?: Parameters<typeof chromium.launchPersistentContext>[1]): Promise<BrowserContext>
  }
}

export const test = base.extend<Fixtures>({
  securityPolicyGuard: [
    async ({ context, browser }, use) => {
      const guard = new SecurityPolicyGuard(e2eSecurityPolicy())
      await guard.watchContext(context)
      const unwatch = guard.watchBrowser(browser)
      await use(guard)
      unwatch()
      await guard.check()
    },
    { auto: true },
  ],
  ownChromium: async ({ securityPolicyGuard }, use) => {
    const opened: (Browser | BrowserContext)[] = []
    const launchOptions = <T extends LaunchOptions>(options: T | undefined) => ({
      ...options,
      executablePath: resolveChromium().executablePath,
      args: [...chromiumArgs(), ...(options?.args ?? [])],
    })
    await use({
      launch: async (options) => {
        const browser = await chromium.launch(launchOptions(options))
        opened.push(browser)
        securityPolicyGuard.watchBrowser(browser)
        return browser
      },
      launchPersistentContext: async (userDataDir, options) => {
        const context = await chromium.launchPersistentContext(userDataDir, launchOptions(options))
        opened.push(context)
        await securityPolicyGuard.watchContext(context)
        return context
      },
    })
    for (const closable of opened) await closable.close()
  },
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

/** The `ownChromium` fixture, for helpers that start a browser on a test's behalf. */
export type OwnChromium = Fixtures['ownChromium']

export { expect }
