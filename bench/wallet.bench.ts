import { WalletPage } from '../scripts/lib/pages/WalletPage.ts'
import { median, type BenchSuite } from './lib/context.ts'

const PHRASE = 'test test test test test test test test test test test junk'
const PASSPHRASE = 'correct horse battery staple'
const RUNS = 7

/**
 * vault.unlock_ms: from pressing Unlock to the unlocked account screen, in headless Chromium,
 * at the full KDF cost (PBKDF2-SHA256, 600,000 iterations). Median of several unlocks.
 */
export const walletSuite: BenchSuite = {
  name: 'vault',
  async run(ctx) {
    const browser = await ctx.browser()
    const page = await (await browser.newContext()).newPage()
    await page.goto(await ctx.appUrl())
    await new WalletPage(page).restore(PHRASE, PASSPHRASE)
    // The wallet opens on the records; unlocking returns to the screen it was locked on.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click()
    await page.getByRole('heading', { name: 'Account' }).waitFor()

    const times: number[] = []
    for (let i = 0; i < RUNS; i++) {
      await page.getByRole('button', { name: 'Lock' }).click()
      await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE)
      const start = performance.now()
      await page.getByRole('button', { name: 'Unlock' }).click()
      await page.getByRole('heading', { name: 'Account' }).waitFor()
      times.push(performance.now() - start)
    }
    await page.context().close()
    return [{ name: 'vault.unlock_ms', value: median(times), unit: 'ms' }]
  },
}
