import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WalletPage } from '../scripts/lib/pages/WalletPage.ts'
import { chromium, type Page } from '@playwright/test'
import * as chromeLauncher from 'chrome-launcher'
import lighthouse from 'lighthouse'
import { chromiumArgs, resolveChromium } from '../scripts/lib/browser.ts'
import { createTestShare, type E2eStack } from '../scripts/lib/shares.ts'
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

/** The profile every Lighthouse row is measured with, said in its unit. */
const LIGHTHOUSE_PROFILE = 'Lighthouse mobile, simulated throttling'

/** A screen Lighthouse audits: its rows are `lighthouse.<prefix>performance` and so on. */
type LighthouseScreen = {
  /** '' for the welcome page (the first rows, `lighthouse.performance`), else `scan_`, `view_`, `unlock_`. */
  prefix: string
  /** Per run: the address to audit and, for a screen that needs stored state, the browser profile holding it. */
  prepare(ctx: BenchContext): Promise<{ url: string; profile?: string }>
}

const LIGHTHOUSE_SCREENS: LighthouseScreen[] = [
  // A first visit: no wallet, the welcome screen.
  { prefix: '', prepare: async (ctx) => ({ url: await ctx.appUrl() }) },
  // The clinician's scanner, opened directly. Headless Chromium has no camera: the scanner says so
  // (an alert above its buttons, a layout shift of about 0.04) and loads no QR decoder.
  { prefix: 'scan_', prepare: async (ctx) => ({ url: `${await ctx.appUrl()}/scan` }) },
  // The viewer as a scanned consent QR opens it: a fresh share on the local stack, today's short
  // link (`/view#shlink:/…`), the grant read from the share host and checked on chain, to the
  // form asking the clinician's name.
  { prefix: 'view_', prepare: async (ctx) => ({ url: (await createTestShare({}, await benchStack(ctx))).link }) },
  // A returning patient: a wallet stored in this browser profile, locked, the unlock screen. The
  // profile keeps the wallet's storage only: no service worker, no cached files, so the app
  // loads from the network as on the other screens.
  { prefix: 'unlock_', prepare: async (ctx) => ({ url: await ctx.appUrl(), profile: await profileWithLockedWallet(await ctx.appUrl()) }) },
]

/**
 * Lighthouse 12 (Node API) on the production build's first screens (welcome, the clinician's
 * `/scan` and `/view`, and unlock), with its default mobile settings (Moto G Power screen,
 * simulated slow 4G and 4× CPU slowdown), in the same Chromium as the end-to-end tests,
 * headless, on a closed network. Median of several runs, each in a fresh browser process.
 * `npm run bench -- lighthouse.view` audits one screen.
 */
async function lighthouseScores(ctx: BenchContext): Promise<BenchRow[]> {
  const rows: BenchRow[] = []
  for (const screen of LIGHTHOUSE_SCREENS) {
    const name = (metric: string) => `lighthouse.${screen.prefix}${metric}`
    if (!ctx.wants(name('performance'), name('accessibility'), name('best_practices'), name('lcp_ms'))) continue
    const performanceScores: number[] = []
    const accessibility: number[] = []
    const bestPractices: number[] = []
    const lcp: number[] = []
    for (let run = 0; run < LIGHTHOUSE_RUNS; run++) {
      const { url, profile } = await screen.prepare(ctx)
      try {
        const lhr = await runLighthouse(url, profile)
        const score = (id: string) => {
          const value = lhr.categories[id]?.score
          if (typeof value !== 'number') throw new Error(`Lighthouse gave no ${id} score`)
          return value * 100
        }
        performanceScores.push(score('performance'))
        accessibility.push(score('accessibility'))
        bestPractices.push(score('best-practices'))
        lcp.push(lhr.audits['largest-contentful-paint']?.numericValue ?? Number.NaN)
        if (process.env.CAREKEY_BENCH_VERBOSE) {
          console.log(`${name('')} run ${run + 1}: TBT ${Math.round(lhr.audits['total-blocking-time']?.numericValue ?? Number.NaN)} ms`)
          reportFailedAudits(lhr)
        }
      } finally {
        if (profile) await rm(profile, { recursive: true, force: true })
      }
    }
    const unit = `score (${LIGHTHOUSE_PROFILE})`
    rows.push(
      { name: name('performance'), value: median(performanceScores), unit },
      { name: name('accessibility'), value: median(accessibility), unit },
      { name: name('best_practices'), value: median(bestPractices), unit },
      { name: name('lcp_ms'), value: median(lcp), unit: `ms (${LIGHTHOUSE_PROFILE})` },
    )
  }
  return rows
}

/** One Lighthouse run in a fresh browser process; with a profile, its stored state is kept (not reset). */
async function runLighthouse(url: string, profile: string | undefined) {
  const chrome = await chromeLauncher.launch({
    chromePath: resolveChromium().executablePath ?? chromium.executablePath(),
    chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', ...chromiumArgs()],
    logLevel: 'silent',
    ...(profile && { userDataDir: profile }),
  })
  try {
    const result = await lighthouse(url, {
      port: chrome.port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['performance', 'accessibility', 'best-practices'],
      ...(profile && { disableStorageReset: true }),
    })
    if (!result) throw new Error('Lighthouse returned no result')
    const { runtimeError } = result.lhr
    if (runtimeError) throw new Error(`Lighthouse failed: ${runtimeError.code} ${runtimeError.message}`)
    return result.lhr
  } finally {
    chrome.kill()
  }
}

/** The local stack's addresses, as the test shares want them. */
async function benchStack(ctx: BenchContext): Promise<E2eStack> {
  const backend = await ctx.backend()
  return {
    baseUrl: await ctx.appUrl(),
    rpcUrl: backend.chain.rpcUrl,
    registry: backend.deployment.consentRegistry,
    shareHostUrl: backend.shareHostUrl,
  }
}

/**
 * A new browser profile holding a restored wallet, locked (the browser closed), with the service
 * worker and every cached file removed: what a returning patient's browser has, minus the
 * offline copy of the app. The caller removes the folder.
 */
async function profileWithLockedWallet(url: string): Promise<string> {
  const profile = await mkdtemp(join(tmpdir(), 'carekey-bench-unlock-'))
  const context = await chromium.launchPersistentContext(profile, { executablePath: resolveChromium().executablePath, args: chromiumArgs(), headless: true })
  try {
    const page = await context.newPage()
    await page.goto(url)
    await new WalletPage(page).restore(PHRASE, PASSPHRASE)
    await page.getByRole('button', { name: 'Lock' }).waitFor()
    const cdp = await context.newCDPSession(page)
    await cdp.send('Storage.clearDataForOrigin', { origin: new URL(url).origin, storageTypes: 'service_workers,cache_storage' })
    await cdp.send('Network.clearBrowserCache')
  } finally {
    await context.close()
  }
  return profile
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
