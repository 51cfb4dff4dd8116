import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import type { Page } from '@playwright/test'
import { writeQrVideo } from '../scripts/lib/qr.ts'
import { WalletPage } from '../scripts/lib/pages/WalletPage.ts'
import { BENCH_DIST, type BenchContext, type BenchRow, type BenchSuite } from './lib/context.ts'
import { freshBrowser } from './lib/phone.ts'
import { benchShare, cameraShowing } from './lib/shares.ts'

const PHRASE = 'test test test test test test test test test test test junk'
const PASSPHRASE = 'correct horse battery staple'

/**
 * What CareKey's screens download, gzip-compressed as a server would send them (level 6): the
 * files of the production build that a real page load requests, in headless Chromium with the
 * HTTP cache off and no service worker, so every request reaches the server and is counted.
 * Counted in the browser, because the app loads most of itself with dynamic imports.
 * - bundle.initial_js_gzip_kb: the JavaScript from opening CareKey (first visit, no wallet)
 *   until the welcome screen shows;
 * - bundle.clinician_first_screen_kb: the JavaScript and WebAssembly a clinician's browser loads
 *   from opening /scan (its camera showing a consent QR made on the local stack) until the viewer
 *   at /view asks for their name and the passcode: the first moment they can act on a scanned code;
 * - bundle.clinician_wasm_kb: of which WebAssembly (the QR decoder);
 * - bundle.unlocked_app_js_gzip_kb: the JavaScript a returning patient's browser loads from
 *   opening CareKey (a wallet on the device) through Unlock until the records list shows its
 *   first records;
 * - bundle.after_unlock_js_gzip_kb: of which requested after Unlock is pressed (the rest loads
 *   while the unlock screen shows).
 */
export const bundleSuite: BenchSuite = {
  name: 'bundle',
  async run(ctx) {
    const url = await ctx.appUrl()
    const rows: BenchRow[] = []
    if (ctx.wants('bundle.initial_js_gzip_kb')) {
      const { js } = await loadedFiles(url, [], async (page, loaded) => {
        await page.goto(url)
        await page.getByRole('heading', { name: 'Welcome to CareKey' }).waitFor()
        return loaded()
      })
      rows.push({ name: 'bundle.initial_js_gzip_kb', value: js, unit: 'kB gzip, JS to the welcome screen' })
    }
    if (ctx.wants('bundle.clinician_first_screen_kb', 'bundle.clinician_wasm_kb')) rows.push(...(await clinicianRows(ctx, url)))
    if (ctx.wants('bundle.unlocked_app_js_gzip_kb', 'bundle.after_unlock_js_gzip_kb')) {
      let afterUnlock: string[] = []
      const { js } = await loadedFiles(url, [], async (page, loaded) => {
        await page.goto(url)
        await new WalletPage(page).restore(PHRASE, PASSPHRASE)
        await page.getByRole('button', { name: 'Load sample data' }).click()
        await recordsShown(page)
        const visit = loaded().length
        await page.reload()
        await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE)
        const unlockScreen = loaded().length
        await page.getByRole('button', { name: 'Unlock' }).click()
        await recordsShown(page)
        afterUnlock = loaded().slice(unlockScreen)
        return loaded().slice(visit)
      })
      rows.push(
        { name: 'bundle.unlocked_app_js_gzip_kb', value: js, unit: 'kB gzip, JS from opening CareKey with a wallet to the records list after Unlock' },
        { name: 'bundle.after_unlock_js_gzip_kb', value: (await gzipKb(afterUnlock)).js, unit: 'kB gzip, of it requested after Unlock is pressed' },
      )
    }
    return rows
  },
}

async function clinicianRows(ctx: BenchContext, url: string): Promise<BenchRow[]> {
  const share = await benchShare(ctx, { passcode: '246810' })
  const dir = await mkdtemp(join(tmpdir(), 'carekey-bench-bundle-'))
  try {
    const video = join(dir, 'consent.y4m')
    await writeQrVideo(share.link, video, { width: 1280, height: 720, frames: 3 })
    const { js, wasm } = await loadedFiles(url, cameraShowing(video), async (page, loaded) => {
      await page.goto(`${url}/scan`)
      await page.getByLabel('Passcode').waitFor({ timeout: 60_000 })
      return loaded()
    })
    return [
      { name: 'bundle.clinician_first_screen_kb', value: js + wasm, unit: 'kB gzip, JS and wasm from /scan to the open form at /view' },
      { name: 'bundle.clinician_wasm_kb', value: wasm, unit: 'kB gzip, wasm of it' },
    ]
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function recordsShown(page: Page) {
  await page.getByTestId('records-count').filter({ hasText: /^Showing \d+ of \d+ records\.$/ }).waitFor({ timeout: 60_000 })
}

/**
 * Runs `journey` in a fresh Chromium (started with `args`), cache off and service workers
 * blocked; `loaded()` lists the paths of the build's scripts and `.wasm` files requested so far.
 * Resolves with the gzip kB of the JS and the wasm among the paths `journey` returns.
 */
async function loadedFiles(
  url: string,
  args: string[],
  journey: (page: Page, loaded: () => string[]) => Promise<string[]>,
): Promise<{ js: number; wasm: number }> {
  const browser = await freshBrowser(args)
  let paths: string[]
  try {
    const page = await (await browser.newContext({ serviceWorkers: 'block' })).newPage()
    await (await page.context().newCDPSession(page)).send('Network.setCacheDisabled', { cacheDisabled: true })
    // In request order, each request kept (a reload asks again for what the page had loaded).
    const requested: string[] = []
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname
      if (request.url().startsWith(url) && (request.resourceType() === 'script' || path.endsWith('.wasm'))) requested.push(path)
    })
    paths = await journey(page, () => [...requested])
  } finally {
    await browser.close()
  }
  return gzipKb(paths)
}

/** The gzip kB of the build's files at these paths, JS and wasm apart. */
async function gzipKb(paths: readonly string[]): Promise<{ js: number; wasm: number }> {
  const kb = { js: 0, wasm: 0 }
  for (const path of new Set(paths)) {
    const bytes = gzipSync(await readFile(join(BENCH_DIST, path.replace(/^\//, ''))), { level: 6 }).length
    kb[path.endsWith('.wasm') ? 'wasm' : 'js'] += bytes / 1024
  }
  return kb
}
