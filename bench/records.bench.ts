import { WalletPage } from '../scripts/lib/pages/WalletPage.ts'
import { randomBytes } from 'node:crypto'
import type { Bundle } from '@medplum/fhirtypes'
import type { Browser, Page } from '@playwright/test'
import { generateSamplePatient } from '../scripts/lib/samplePatient.ts'
import { median, type BenchRow, type BenchSuite } from './lib/context.ts'

const PHRASE = 'test test test test test test test test test test test junk'
const PASSPHRASE = 'correct horse battery staple'
const RUNS = 3
const ATTACHMENT_BYTES = 25 * 1024 * 1024

/** A synthetic bundle of exactly `count` resources (the generator's patient, cut to size). */
function bundleOf(count: number, seed: number): Buffer {
  const full = generateSamplePatient({ seed, visits: Math.ceil(count / 7) + 20 })
  const bundle: Bundle = { ...full, entry: (full.entry ?? []).slice(0, count) }
  if (bundle.entry?.length !== count) throw new Error(`the generator made only ${bundle.entry?.length ?? 0} resources`)
  return Buffer.from(JSON.stringify(bundle))
}

async function freshWallet(browser: Browser, url: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage()
  await page.goto(url)
  await new WalletPage(page).restore(PHRASE, PASSPHRASE)
  await page.getByRole('heading', { name: 'No records yet' }).waitFor()
  return page
}

/** Imports a file through the import screen; resolves with the time from the click to the summary. */
async function importThroughScreen(page: Page, name: string, buffer: Buffer, expected: number): Promise<number> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Records' }).click()
  await page.getByRole('link', { name: 'Import a FHIR file' }).first().click()
  await page.getByLabel('FHIR file').setInputFiles({ name, mimeType: 'application/json', buffer })
  const start = performance.now()
  await page.getByRole('button', { name: 'Import', exact: true }).click()
  const summary = page.getByRole('heading', { name: /^Import finished/ })
  await summary.or(page.getByRole('alert')).first().waitFor({ timeout: 120_000 })
  const elapsed = performance.now() - start
  if (!(await summary.isVisible())) throw new Error(`the import failed: ${await page.getByRole('alert').first().textContent()}`)
  const imported = Number(/(\d+) record/.exec((await summary.textContent()) ?? '')?.[1])
  if (imported < expected * 0.99) throw new Error(`imported ${imported} of ${expected}`)
  return elapsed
}

/**
 * Records in headless Chromium against the production build, driven through the screens:
 * - records.import_5000_ms: import and encrypt a 5,000-resource bundle (click → summary);
 * - records.search_10000_ms: a search over 10,000 records, from the keystroke to the updated list;
 * - records.list_first_paint_ms: opening the timeline of 10,000 records (index in memory, as
 *   after unlock) until the first rows are painted;
 * - records.unlock_to_list_10000_ms: from Unlock to the first rows, decrypting 10,000 summaries;
 * - crypto.aes_gcm_mb_s: the app's chunked AES-256-GCM encryption of a 25 MB attachment;
 * - records.attach_25mb_ms: attaching that file through the screen (read, check, encrypt, store);
 * - backup.upload_10000_ms: "Back up now" with 10,000 records, from the click until the share host
 *   has stored the new version (read every row, seal the backup file, sign, upload).
 */
export const recordsSuite: BenchSuite = {
  name: 'records',
  rows: ['backup.upload_10000_ms', 'crypto.aes_gcm_mb_s'],
  async run(ctx) {
    const url = await ctx.appUrl()
    const browser = await ctx.browser()
    const rows: BenchRow[] = []

    const imports: number[] = []
    for (let run = 0; run < RUNS; run++) {
      const page = await freshWallet(browser, url)
      imports.push(await importThroughScreen(page, 'patient-5000.json', bundleOf(5000, 100 + run), 5000))
      await page.context().close()
    }
    rows.push({ name: 'records.import_5000_ms', value: median(imports), unit: 'ms' })

    const page = await freshWallet(browser, url)
    await importThroughScreen(page, 'a.json', bundleOf(5000, 200), 5000)
    await importThroughScreen(page, 'b.json', bundleOf(5000, 201), 5000)
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Records' }).click()
    const count = page.getByTestId('records-count')
    await count.waitFor()
    const total = Number(/of (\d+)/.exec((await count.textContent()) ?? '')?.[1])
    if (total < 9900) throw new Error(`expected about 10,000 records, found ${total}`)

    rows.push({ name: 'backup.upload_10000_ms', value: median(await backUpNowRuns(page)), unit: 'ms' })
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Records' }).click()
    await count.waitFor()

    const searches: number[] = []
    for (const query of ['hemoglobin', 'cholesterol', 'influenza', 'lisinopril', 'asthma', 'weight', 'marwick', 'progress note', 'sodium']) {
      await setSearch(page, '')
      searches.push(await setSearch(page, query))
    }
    rows.push({ name: 'records.search_10000_ms', value: median(searches), unit: 'ms' })

    const paints: number[] = []
    for (let run = 0; run < 5; run++) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click()
      await page.getByRole('heading', { name: 'Account' }).waitFor()
      paints.push(await timeToFirstRows(page, 'nav[aria-label="Main"] a[href="/records"]'))
    }
    rows.push({ name: 'records.list_first_paint_ms', value: median(paints), unit: 'ms' })

    const unlocks: number[] = []
    for (let run = 0; run < RUNS; run++) {
      await page.getByRole('button', { name: 'Lock' }).click()
      await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE)
      unlocks.push(await timeToFirstRows(page, 'main button[type="submit"]'))
    }
    rows.push({ name: 'records.unlock_to_list_10000_ms', value: median(unlocks), unit: 'ms' })
    await page.context().close()

    const attach = await freshWallet(browser, url)
    await attach.getByRole('link', { name: 'Add a record' }).click()
    await attach.getByRole('link', { name: /^Document/ }).click()
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(ATTACHMENT_BYTES - 9)])
    await attach.getByLabel('File').setInputFiles({ name: 'scan.pdf', mimeType: 'application/pdf', buffer: pdf })
    const start = performance.now()
    await attach.getByRole('button', { name: 'Save document' }).click()
    await attach.getByRole('heading', { name: 'scan', level: 1 }).waitFor({ timeout: 120_000 })
    rows.push({ name: 'records.attach_25mb_ms', value: performance.now() - start, unit: 'ms' })
    const encryptMs = await attach.evaluate(() => performance.getEntriesByName('carekey.attachment.encrypt').at(-1)?.duration ?? Number.NaN)
    rows.push({ name: 'crypto.aes_gcm_mb_s', value: ATTACHMENT_BYTES / 1e6 / (encryptMs / 1000), unit: 'MB/s' })
    await attach.context().close()
    return rows
  },
}

/** Presses Back up now on the Backup and storage screen RUNS times; each run from the click until the upload is stored. */
async function backUpNowRuns(page: Page): Promise<number[]> {
  await page.getByRole('navigation', { name: 'Records tools' }).getByRole('link', { name: 'Backup and storage' }).click()
  const button = page.getByRole('button', { name: 'Back up now' })
  const busy = page.locator('button[aria-busy="true"]', { hasText: 'Back up now' })
  const status = page.getByTestId('online-backup-status')
  const times: number[] = []
  for (let run = 0; run < RUNS; run++) {
    // An automatic backup under way finishes first: the run measures one whole upload.
    await page.locator('button:not([aria-busy])', { hasText: 'Back up now' }).waitFor()
    const start = performance.now()
    await button.click()
    await busy.waitFor()
    await busy.waitFor({ state: 'detached', timeout: 300_000 })
    times.push(performance.now() - start)
    const line = (await status.textContent()) ?? ''
    if (!/^Last backup: .+ · [\d,]+ records/.test(line)) throw new Error(`the backup did not land: ${line}`)
  }
  return times
}

/** Types a query as a keystroke would and measures, in the page, until the result count changes. */
function setSearch(page: Page, query: string): Promise<number> {
  return page.evaluate(async (q) => {
    const input = document.querySelector<HTMLInputElement>('input[type="search"]')
    const status = document.querySelector('[data-testid="records-count"]')
    if (!input || !status) throw new Error('no search box')
    if (input.value === q) return 0
    const before = status.textContent
    // No named helpers in here: the page runs this function's source, without the bundler's helpers.
    const changed = new Promise<void>((resolve) => {
      const observer = new MutationObserver(() => {
        if (status.textContent !== before) {
          observer.disconnect()
          resolve()
        }
      })
      observer.observe(status, { childList: true, characterData: true, subtree: true })
    })
    const start = performance.now()
    // The prototype's setter, as typing does, so that React sees the change.
    Reflect.set(HTMLInputElement.prototype, 'value', q, input)
    input.dispatchEvent(new Event('input', { bubbles: true }))
    await changed
    // The list is painted in the frame after the DOM update.
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)))
    return performance.now() - start
  }, query)
}

/** Clicks an element in the page and measures, in the page, until the first record rows are painted. */
function timeToFirstRows(page: Page, clickSelector: string): Promise<number> {
  return page.evaluate(async (selector) => {
    const target = document.querySelector<HTMLElement>(selector)
    if (!target) throw new Error(`nothing matches ${selector}`)
    const rows = new Promise<void>((resolve) => {
      const observer = new MutationObserver(() => {
        if (document.querySelector('main section li a[href^="/records/"]') !== null) {
          observer.disconnect()
          resolve()
        }
      })
      observer.observe(document.body, { childList: true, subtree: true })
    })
    const start = performance.now()
    target.click()
    await rows
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)))
    return performance.now() - start
  }, clickSelector)
}
