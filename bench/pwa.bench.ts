import { WalletPage } from '../scripts/lib/pages/WalletPage.ts'
import { chromium, type Page } from '@playwright/test'
import * as chromeLauncher from 'chrome-launcher'
import lighthouse from 'lighthouse'
import { chromiumArgs, resolveChromium } from '../scripts/lib/browser.ts'
import { median, type BenchContext, type BenchRow, type BenchSuite } from './lib/context.ts'
import { timingRow } from './lib/context.ts'
import { freshBrowser, phoneUnit, applyPhoneProfile } from './lib/phone.ts'

const PHRASE = 'test test test test test test test test test test test junk'
const PASSPHRASE = 'correct horse battery staple'
const OFFLINE_RUNS = 5
const LIGHTHOUSE_RUNS = 3

/**
 * pwa.offline_start_ms: a cold start with no network, to the records on screen. Each run
 * uses a fresh browser profile that visited CareKey once (service worker installed, wallet
 * restored, the sample patient's records loaded: several hundred), then goes offline, stops
 * every service worker and opens CareKey in a new tab. The figure is the sum of:
 *   - pwa.offline_first_screen_ms: navigation start → the unlock form ready for input
 *     (served by the service worker from its precache);
 *   - pressing Unlock (Argon2id, 64 MiB, 3 passes) → the records list shown ("Showing 100 of
 *     N records", decrypted from IndexedDB).
 * Typing the passphrase is not counted. Each run in a Chromium process of its own, the
 * second tab on the phone profile (4x CPU).
 */
async function offlineStart(ctx: BenchContext): Promise<BenchRow[]> {
  const url = await ctx.appUrl()
  const firstScreen: number[] = []
  const total: number[] = []
  for (let run = 0; run < OFFLINE_RUNS; run++) {
    const browser = await freshBrowser()
    const context = await browser.newContext()
    try {
      const visit = await context.newPage()
      await visit.goto(url)
      await new WalletPage(visit).restore(PHRASE, PASSPHRASE)
      await visit.getByRole('button', { name: 'Lock' }).waitFor()
      await visit.getByRole('button', { name: 'Load sample data' }).click()
      await recordsShown(visit)
      await visit.evaluate(async () => {
        await navigator.serviceWorker.ready
      })
      await visit.close()

      await context.setOffline(true)
      const page = await context.newPage()
      const cdp = await context.newCDPSession(page)
      await cdp.send('ServiceWorker.enable')
      await cdp.send('ServiceWorker.stopAllWorkers')
      await applyPhoneProfile(page)

      const start = performance.now()
      await page.goto(url)
      const passphrase = page.getByLabel('Passphrase', { exact: true })
      await passphrase.waitFor()
      const unlockFormReady = performance.now()
      await passphrase.fill(PASSPHRASE)
      const unlockStart = performance.now()
      await page.getByRole('button', { name: 'Unlock' }).click()
      await recordsShown(page)
      const unlocked = performance.now()

      firstScreen.push(unlockFormReady - start)
      total.push(unlockFormReady - start + (unlocked - unlockStart))
    } finally {
      await browser.close()
    }
  }
  return [timingRow('pwa.offline_start_ms', total, `${phoneUnit()}, offline`), timingRow('pwa.offline_first_screen_ms', firstScreen, `${phoneUnit()}, offline`)]
}

/** The records list (the unlocked app's home screen) with its first records shown. */
async function recordsShown(page: Page) {
  await page.getByTestId('records-count').filter({ hasText: /^Showing \d+ of \d+ records\.$/ }).waitFor({ timeout: 60_000 })
}

/**
 * Lighthouse 12 (Node API) on the production build's first screen, with its default mobile
 * settings (Moto G Power screen, simulated slow 4G and 4× CPU slowdown), in the same Chromium
 * as the end-to-end tests, headless, on a closed network. Median of several runs.
 */
async function lighthouseScores(ctx: BenchContext): Promise<BenchRow[]> {
  const url = await ctx.appUrl()
  const chromePath = resolveChromium().executablePath ?? chromium.executablePath()
  const performanceScores: number[] = []
  const accessibility: number[] = []
  const bestPractices: number[] = []
  const lcp: number[] = []
  for (let run = 0; run < LIGHTHOUSE_RUNS; run++) {
    const chrome = await chromeLauncher.launch({
      chromePath,
      chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', ...chromiumArgs()],
      logLevel: 'silent',
    })
    try {
      const result = await lighthouse(url, {
        port: chrome.port,
        output: 'json',
        logLevel: 'error',
        onlyCategories: ['performance', 'accessibility', 'best-practices'],
      })
      if (!result) throw new Error('Lighthouse returned no result')
      const { categories, audits, runtimeError } = result.lhr
      if (runtimeError) throw new Error(`Lighthouse failed: ${runtimeError.code} ${runtimeError.message}`)
      const score = (id: string) => {
        const value = categories[id]?.score
        if (typeof value !== 'number') throw new Error(`Lighthouse gave no ${id} score`)
        return value * 100
      }
      performanceScores.push(score('performance'))
      accessibility.push(score('accessibility'))
      bestPractices.push(score('best-practices'))
      lcp.push(audits['largest-contentful-paint']?.numericValue ?? Number.NaN)
      if (process.env.CAREKEY_BENCH_VERBOSE) reportFailedAudits(result.lhr)
    } finally {
      chrome.kill()
    }
  }
  return [
    { name: 'lighthouse.performance', value: median(performanceScores), unit: 'score' },
    { name: 'lighthouse.accessibility', value: median(accessibility), unit: 'score' },
    { name: 'lighthouse.best_practices', value: median(bestPractices), unit: 'score' },
    { name: 'lighthouse.lcp_ms', value: median(lcp), unit: 'ms' },
  ]
}

/** With CAREKEY_BENCH_VERBOSE set: which audits cost points, to know what to fix. */
function reportFailedAudits(lhr: { categories: Record<string, { auditRefs: { id: string; weight: number }[] }>; audits: Record<string, { score: number | null; title: string; displayValue?: string }> }) {
  for (const [name, category] of Object.entries(lhr.categories)) {
    for (const ref of category.auditRefs) {
      const audit = lhr.audits[ref.id]
      if (ref.weight > 0 && audit && audit.score !== null && audit.score < 1) {
        console.log(`  ${name}: ${ref.id} (${audit.score}) ${audit.title} ${audit.displayValue ?? ''}`)
      }
    }
  }
}

/** `npm run bench -- pwa` or `-- lighthouse` runs one of them. */
export const pwaSuites: BenchSuite[] = [
  { name: 'pwa', run: offlineStart },
  { name: 'lighthouse', run: lighthouseScores },
]
