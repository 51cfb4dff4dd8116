import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Bundle } from '@medplum/fhirtypes'
import type { Page } from '@playwright/test'
import { generateMnemonic } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english'
import { WalletPage } from '../scripts/lib/pages/WalletPage.ts'
import { generateSamplePatient } from '../scripts/lib/samplePatient.ts'
import { ATTACHMENT_CHUNK_BYTES } from '../src/domain/records/attachments.ts'
import { timingRow, type BenchRow, type BenchSuite } from './lib/context.ts'
import { freshBrowser, freshBrowserOnProfile, phoneUnit, applyPhoneProfile } from './lib/phone.ts'

const PHRASE = 'test test test test test test test test test test test junk'
const PASSPHRASE = 'correct horse battery staple'
const RUNS = 5
const ATTACHMENT_BYTES = 25 * 1024 * 1024

/** A synthetic bundle of exactly `count` resources (the generator's patient, cut to size). */
function bundleOf(count: number, seed: number): Buffer {
  const full = generateSamplePatient({ seed, visits: Math.ceil(count / 7) + 20 })
  const bundle: Bundle = { ...full, entry: (full.entry ?? []).slice(0, count) }
  if (bundle.entry?.length !== count) throw new Error(`the generator made only ${bundle.entry?.length ?? 0} resources`)
  return Buffer.from(JSON.stringify(bundle))
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

const IMPORT_ROWS = ['records.import_5000_ms']
const WALLET_10000_ROWS = ['records.cold_unlock_to_list_10000_ms', 'records.list_first_paint_ms', 'records.search_10000_ms', 'backup.upload_10000_ms']
const ATTACH_ROWS = ['crypto.aes_gcm_mb_s', 'crypto.aes_gcm_raw_webcrypto_mb_s', 'records.attach_25mb_ms']

const SEARCHES = ['hemoglobin', 'cholesterol', 'influenza', 'lisinopril', 'asthma', 'weight', 'marwick', 'progress note', 'sodium']

/**
 * Records in headless Chromium against the production build, driven through the screens, each
 * run in a Chromium process of its own:
 * - records.import_5000_ms: import and encrypt a 5,000-resource bundle (click → summary), in a fresh wallet;
 * - records.cold_unlock_to_list_10000_ms: a patient's browser opened again on a wallet of
 *   10,000 records (its profile kept on disk: IndexedDB, the service worker, the HTTP cache),
 *   from pressing Unlock on the unlock screen to the first rows of the records list painted
 *   (Argon2id, then decrypting the 10,000 summaries), on the phone profile (4x CPU);
 * - records.list_first_paint_ms: then, in the same runs, going from Account back to the records
 *   (index in memory) until the first rows are painted (4x CPU);
 * - records.search_10000_ms: then a search over the 10,000 records, from the keystroke to the
 *   updated list (4x CPU; three queries a run);
 * - backup.upload_10000_ms: then, at full speed, "Back up now", from the click until the share
 *   host has stored the new version (read every row, seal the backup file, sign, upload);
 * - crypto.aes_gcm_mb_s: the app's chunked AES-256-GCM encryption of a 25 MB attachment (its
 *   'carekey.attachment.encrypt' measure), in a fresh wallet;
 * - crypto.aes_gcm_raw_webcrypto_mb_s: its reference, in the same page right after: WebCrypto's
 *   AES-256-GCM alone on the same 25 MB in the same 1 MiB chunks, all at once, no app code;
 * - records.attach_25mb_ms: attaching that file through the screen (read, check, encrypt, store).
 */
export const recordsSuite: BenchSuite = {
  name: 'records',
  rows: [...IMPORT_ROWS, ...WALLET_10000_ROWS, ...ATTACH_ROWS],
  async run(ctx) {
    const url = await ctx.appUrl()
    const rows: BenchRow[] = []
    if (ctx.wants(...IMPORT_ROWS)) {
      const imports: number[] = []
      for (let run = 0; run < RUNS; run++) {
        await inFreshWallet(url, async (page) => {
          imports.push(await importThroughScreen(page, 'patient-5000.json', bundleOf(5000, 100 + run), 5000))
        })
      }
      rows.push(timingRow('records.import_5000_ms', imports, 'ms, fresh browser'))
    }
    if (ctx.wants(...WALLET_10000_ROWS)) rows.push(...(await wallet10000Rows(url)))
    if (ctx.wants(...ATTACH_ROWS)) rows.push(...(await attachRows(url)))
    return rows
  },
}

/** Runs `journey` on a page of a fresh Chromium whose wallet was just restored (no records). */
async function inFreshWallet(url: string, journey: (page: Page) => Promise<void>): Promise<void> {
  const browser = await freshBrowser()
  try {
    const page = await (await browser.newContext()).newPage()
    await page.goto(url)
    await new WalletPage(page).restore(PHRASE, PASSPHRASE)
    await page.getByRole('heading', { name: 'No records yet' }).waitFor()
    await journey(page)
  } finally {
    await browser.close()
  }
}

/** The WALLET_10000_ROWS: a profile on disk gets a wallet of 10,000 records, then each run opens it in a new Chromium. */
async function wallet10000Rows(url: string): Promise<BenchRow[]> {
  const profile = await mkdtemp(join(tmpdir(), 'carekey-bench-profile-'))
  try {
    const setup = await freshBrowserOnProfile(profile)
    try {
      const page = await setup.newPage()
      await page.goto(url)
      // A wallet of its own: no online backup of another suite's records to offer.
      await new WalletPage(page).restore(generateMnemonic(wordlist), PASSPHRASE)
      await page.getByRole('heading', { name: 'No records yet' }).waitFor()
      await importThroughScreen(page, 'a.json', bundleOf(5000, 200), 5000)
      await importThroughScreen(page, 'b.json', bundleOf(5000, 201), 5000)
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Records' }).click()
      const total = Number(/of ([\d,]+)/.exec((await page.getByTestId('records-count').textContent()) ?? '')?.[1]?.replaceAll(',', ''))
      if (!(total >= 9900)) throw new Error(`expected about 10,000 records, found ${total}`)
      // The first backup of them all, so that each run's "Back up now" uploads one version of the same wallet.
      await backUpNow(page)
    } finally {
      await setup.close()
    }

    const unlocks: number[] = []
    const paints: number[] = []
    const searches: number[] = []
    const backups: number[] = []
    for (let run = 0; run < RUNS; run++) {
      const context = await freshBrowserOnProfile(profile)
      try {
        const page = context.pages()[0] ?? (await context.newPage())
        await page.goto(url)
        await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE)
        const fullSpeed = await applyPhoneProfile(page)
        unlocks.push(await timeToFirstRows(page, 'main button[type="submit"]'))
        await page.getByTestId('records-count').waitFor()
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click()
        await page.getByRole('heading', { name: 'Account' }).waitFor()
        paints.push(await timeToFirstRows(page, 'nav[aria-label="Main"] a[href="/records"]'))
        await page.getByTestId('records-count').waitFor()
        for (const query of SEARCHES.slice((run * 3) % SEARCHES.length).slice(0, 3)) {
          await setSearch(page, '')
          searches.push(await setSearch(page, query))
        }
        await fullSpeed()
        backups.push(await backUpNow(page))
      } finally {
        await context.close()
      }
    }
    return [
      timingRow('records.cold_unlock_to_list_10000_ms', unlocks, phoneUnit()),
      timingRow('records.list_first_paint_ms', paints, phoneUnit()),
      timingRow('records.search_10000_ms', searches, phoneUnit()),
      timingRow('backup.upload_10000_ms', backups, 'ms, fresh browser'),
    ]
  } finally {
    await rm(profile, { recursive: true, force: true })
  }
}

/** The ATTACH_ROWS: each run attaches a 25 MB PDF in a fresh wallet, then encrypts as much with WebCrypto alone. */
async function attachRows(url: string): Promise<BenchRow[]> {
  const attaches: number[] = []
  const app: number[] = []
  const raw: number[] = []
  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(ATTACHMENT_BYTES - 9)])
  for (let run = 0; run < RUNS; run++) {
    await inFreshWallet(url, async (page) => {
      await page.getByRole('link', { name: 'Add a record' }).click()
      await page.getByRole('link', { name: /^Document/ }).click()
      await page.getByLabel('File').setInputFiles({ name: 'scan.pdf', mimeType: 'application/pdf', buffer: pdf })
      const start = performance.now()
      await page.getByRole('button', { name: 'Save document' }).click()
      await page.getByRole('heading', { name: 'scan', level: 1 }).waitFor({ timeout: 120_000 })
      attaches.push(performance.now() - start)
      const encryptMs = await page.evaluate(() => performance.getEntriesByName('carekey.attachment.encrypt').at(-1)?.duration ?? Number.NaN)
      app.push(ATTACHMENT_BYTES / 1e6 / (encryptMs / 1000))
      // No named helpers in here: the page runs this function's source, without the bundler's helpers.
      const rawMs = await page.evaluate(
        async ({ bytes, chunk }) => {
          const data = new Uint8Array(bytes)
          for (let at = 0; at < bytes; at += 65_536) crypto.getRandomValues(data.subarray(at, Math.min(at + 65_536, bytes)))
          const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt'])
          const started = performance.now()
          await Promise.all(
            Array.from({ length: Math.ceil(bytes / chunk) }, (_, i) =>
              crypto.subtle.encrypt({ name: 'AES-GCM', iv: crypto.getRandomValues(new Uint8Array(12)) }, key, data.subarray(i * chunk, Math.min((i + 1) * chunk, bytes))),
            ),
          )
          return performance.now() - started
        },
        { bytes: ATTACHMENT_BYTES, chunk: ATTACHMENT_CHUNK_BYTES },
      )
      raw.push(ATTACHMENT_BYTES / 1e6 / (rawMs / 1000))
    })
  }
  return [
    timingRow('crypto.aes_gcm_mb_s', app, 'MB/s, fresh browser (p90: the rate 9 runs in 10 reach)', { higherIsBetter: true }),
    timingRow('crypto.aes_gcm_raw_webcrypto_mb_s', raw, 'MB/s, fresh browser, WebCrypto alone (p90: the rate 9 runs in 10 reach)', { higherIsBetter: true }),
    timingRow('records.attach_25mb_ms', attaches, 'ms, fresh browser'),
  ]
}

/**
 * Presses Back up now on the Backup and storage screen and waits for the upload to be stored;
 * resolves with the time from the click. An automatic backup under way finishes first.
 */
async function backUpNow(page: Page): Promise<number> {
  await page.getByRole('navigation', { name: 'Records tools' }).getByRole('link', { name: 'Backup and storage' }).click()
  const button = page.getByRole('button', { name: 'Back up now' })
  const busy = page.locator('button[aria-busy="true"]', { hasText: 'Back up now' })
  await page.locator('button:not([aria-busy])', { hasText: 'Back up now' }).waitFor({ timeout: 300_000 })
  const start = performance.now()
  await button.click()
  await busy.waitFor()
  await busy.waitFor({ state: 'detached', timeout: 300_000 })
  const elapsed = performance.now() - start
  const line = (await page.getByTestId('online-backup-status').textContent()) ?? ''
  if (!/^Last backup: .+ · [\d,]+ records/.test(line)) throw new Error(`the backup did not land: ${line}`)
  return elapsed
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
