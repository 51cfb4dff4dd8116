import type { Page } from '@playwright/test'
import { WalletPage } from '../scripts/lib/pages/WalletPage.ts'
import { timingRow, type BenchSuite } from './lib/context.ts'
import { freshBrowser, phoneUnit, applyPhoneProfile } from './lib/phone.ts'

const PHRASE = 'test test test test test test test test test test test junk'
const PASSPHRASE = 'correct horse battery staple'
const RUNS = 5

/**
 * vault.unlock_ms: from pressing Unlock to the unlocked account screen, on the phone profile
 * (4x CPU) in a fresh Chromium per run, at the full KDF cost (Argon2id, 64 MiB, 3 passes,
 * 1 lane, in a worker). Each run restores the wallet, locks it on the Account screen, then
 * times one unlock. Timed by the page's own clock, from the click to the first frame after the
 * Account heading is in the document: Playwright's waits poll at growing intervals (up to
 * 500 ms) and would add their own delay.
 * vault.kdf_ms: the part of it spent waiting for the Argon2id derivation (the worker's
 * 'carekey:vault-kdf' User Timing measure), in the same runs.
 */
export const walletSuite: BenchSuite = {
  name: 'vault',
  async run(ctx) {
    const url = await ctx.appUrl()
    const times: number[] = []
    const derivations: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const browser = await freshBrowser()
      try {
        const page = await (await browser.newContext()).newPage()
        await page.goto(url)
        await new WalletPage(page).restore(PHRASE, PASSPHRASE)
        // The wallet opens on the records; unlocking returns to the screen it was locked on.
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click()
        await page.getByRole('heading', { name: 'Account' }).waitFor()
        await page.getByRole('button', { name: 'Lock' }).click()
        await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE)
        await page.evaluate(() => performance.clearMeasures('carekey:vault-kdf'))
        await applyPhoneProfile(page)
        await watchForHeading(page, 'Account')
        await page.getByRole('button', { name: 'Unlock' }).click()
        await page.waitForFunction(() => !Number.isNaN((globalThis as unknown as WithTiming).__carekeyBenchTiming.duration))
        times.push(await page.evaluate(() => (globalThis as unknown as WithTiming).__carekeyBenchTiming.duration))
        const [kdf, ...more] = await page.evaluate(() => performance.getEntriesByName('carekey:vault-kdf').map((entry) => entry.duration))
        if (kdf === undefined || more.length > 0) throw new Error(`expected one key derivation, the page measured ${more.length + (kdf === undefined ? 0 : 1)}`)
        derivations.push(kdf)
      } finally {
        await browser.close()
      }
    }
    return [timingRow('vault.unlock_ms', times, phoneUnit()), timingRow('vault.kdf_ms', derivations, phoneUnit())]
  },
}

type WithTiming = { __carekeyBenchTiming: { clicked: number; duration: number } }

/** Times, in the page, the next click until the frame after a level-1 heading with this text appears. */
async function watchForHeading(page: Page, text: string): Promise<void> {
  await page.evaluate((heading) => {
    const timing = { clicked: 0, duration: Number.NaN }
    ;(globalThis as unknown as WithTiming).__carekeyBenchTiming = timing
    document.addEventListener('click', () => (timing.clicked = performance.now()), { capture: true, once: true })
    const observer = new MutationObserver(() => {
      if (timing.clicked === 0 || ![...document.querySelectorAll('h1')].some((h) => h.textContent === heading)) return
      observer.disconnect()
      requestAnimationFrame(() => (timing.duration = performance.now() - timing.clicked))
    })
    observer.observe(document.body, { subtree: true, childList: true, characterData: true })
  }, text)
}
