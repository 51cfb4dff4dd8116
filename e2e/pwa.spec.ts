import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page, TestInfo } from '@playwright/test'
import { build } from 'vite'
import { freePort } from '../scripts/lib/ports.ts'
import { toolViteCacheDir } from '../scripts/lib/viteCache.ts'
import { RecordsPage } from './pages/RecordsPage.ts'
import { WalletPage } from '../scripts/lib/pages/WalletPage.ts'
import { expect, KNOWN_ADDRESS, KNOWN_PHRASE, PASSPHRASE, test } from './support/fixtures.ts'
import { startStaticSite } from './support/staticSite.ts'
import { createTestShare } from '../scripts/lib/shares.ts'
import { dumpOriginStorage } from './support/storage.ts'

/** Resolves once the service worker is active, i.e. the app shell is precached. */
async function serviceWorkerReady(page: Page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready
  })
}

const controlledByServiceWorker = (page: Page) => page.evaluate(() => navigator.serviceWorker.controller !== null)

/** Width and height of a PNG, from its IHDR chunk. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG')
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) }
}

test.describe('installable app', () => {
  test('the manifest is complete, its icons load, and the service worker controls the page', async ({ page, wallet, request }) => {
    await wallet.open()
    await expect(page.getByRole('heading', { name: 'Welcome to CareKey' })).toBeVisible()
    await serviceWorkerReady(page)
    await page.reload()
    expect(await controlledByServiceWorker(page)).toBe(true)

    const manifestHref = await page.locator('link[rel="manifest"]').getAttribute('href')
    expect(manifestHref).toBeTruthy()
    const manifestUrl = new URL(manifestHref ?? '', page.url())
    const response = await request.get(manifestUrl.href)
    expect(response.ok()).toBe(true)
    const manifest = (await response.json()) as Record<string, unknown>
    expect(manifest).toMatchObject({
      id: '/',
      name: 'CareKey: your health wallet',
      short_name: 'CareKey',
      start_url: '/',
      scope: '/',
      display: 'standalone',
      theme_color: '#0f766e',
      background_color: '#f8fafc',
    })
    expect(typeof manifest.description).toBe('string')
    expect(manifest.shortcuts).toEqual([
      expect.objectContaining({ name: 'Show my consent QR', url: '/share' }),
      expect.objectContaining({ name: 'Scan a consent QR', url: '/scan' }),
    ])

    const icons = manifest.icons as { src: string; sizes: string; type: string; purpose?: string }[]
    for (const purpose of ['any', 'maskable']) {
      for (const size of ['192x192', '512x512']) {
        expect(icons, `a ${purpose} icon of ${size}`).toContainEqual(expect.objectContaining({ sizes: size, type: 'image/png', purpose }))
      }
    }
    const shortcutIcons = (manifest.shortcuts as { icons: typeof icons }[]).flatMap((s) => s.icons)
    for (const icon of [...icons, ...shortcutIcons]) {
      const file = await request.get(new URL(icon.src, manifestUrl).href)
      expect(file.ok(), icon.src).toBe(true)
      expect(file.headers()['content-type']).toContain(icon.type)
      if (icon.type === 'image/png') {
        const { width, height } = pngSize(await file.body())
        expect(`${width}x${height}`, icon.src).toBe(icon.sizes)
      }
    }
    for (const path of ['/favicon.ico', '/icons/apple-touch-icon.png']) expect((await request.get(path)).ok(), path).toBe(true)
  })

  test('Chromium finds it installable and CareKey offers its own install button', async ({ baseURL, ownChromium }) => {
    // Installation is never offered in an incognito-like context: use a real profile.
    const profile = await mkdtemp(join(tmpdir(), 'carekey-install-'))
    const context = await ownChromium.launchPersistentContext(profile, { headless: true, baseURL })
    try {
      const page = context.pages()[0] ?? (await context.newPage())
      await page.goto('/')
      await expect(page.getByRole('heading', { name: 'Welcome to CareKey' })).toBeVisible()
      await serviceWorkerReady(page)
      const cdp = await context.newCDPSession(page)
      expect((await cdp.send('Page.getInstallabilityErrors')).installabilityErrors).toEqual([])
      expect((await cdp.send('Page.getAppManifest')).errors).toEqual([])
      await expect(page.getByRole('button', { name: 'Install CareKey' })).toBeVisible()
    } finally {
      await context.close()
      await rm(profile, { recursive: true, force: true })
    }
  })
})

test.describe('offline', () => {
  test('after one visit CareKey starts with no network, unlocks, shows the records and the last known balance with its time', async ({
    page,
    context,
    unlockedWallet,
  }) => {
    test.setTimeout(120_000)
    const records = new RecordsPage(page)
    await records.open()
    await records.loadSampleData()
    const recordCount = (await records.count.textContent()) ?? ''
    const firstTitles = (await records.listedTitles()).slice(0, 5)
    expect(firstTitles.length).toBeGreaterThan(0)

    await unlockedWallet.openAccount()
    const balance = page.getByRole('definition').filter({ hasText: /ETH/ })
    await expect(balance).toBeVisible()
    await expect(page.getByTestId('last-read')).toContainText('Read at')
    const balanceOnline = (await balance.textContent()) ?? ''
    await serviceWorkerReady(page)
    // The balance read is kept on the device for the next start, encrypted: the address it was
    // read for is nowhere in plain text.
    await expect.poll(() => dumpOriginStorage(page)).toContain('lastKnownChainReads.sealed')
    expect((await dumpOriginStorage(page)).toLowerCase()).not.toContain(KNOWN_ADDRESS.slice(2).toLowerCase())

    await context.setOffline(true)
    await page.reload()
    await unlockedWallet.expectLocked()
    expect(await controlledByServiceWorker(page)).toBe(true)
    await expect(page.getByTestId('offline-banner')).toContainText('You are offline.')

    await unlockedWallet.unlock(PASSPHRASE)
    await unlockedWallet.expectAccount(KNOWN_ADDRESS)
    await expect(balance).toHaveText(balanceOnline)
    const lastRead = page.getByTestId('last-read')
    await expect(lastRead).toContainText('Last known value, read at')
    const readAt = Date.parse((await lastRead.locator('time').getAttribute('datetime')) ?? '')
    expect(readAt).toBeLessThanOrEqual(Date.now())
    expect(readAt).toBeGreaterThan(Date.now() - 10 * 60_000)
    // Actions that need the network say so, and nothing keeps spinning.
    await expect(page.getByText('Getting test funds needs the network.')).toBeVisible()
    await expect(page.getByRole('button', { name: 'Get test funds (development chain)' })).toBeDisabled()
    await expect(page.getByText('Reading…')).toHaveCount(0)
    await expect(page.locator('[aria-busy="true"]')).toHaveCount(0)

    // The records are on the device: all there, and they open.
    await records.open()
    await expect(records.count).toHaveText(recordCount)
    expect((await records.listedTitles()).slice(0, 5)).toEqual(firstTitles)
    await records.listedRecords.first().getByRole('link').click()
    await expect(page.getByRole('heading', { level: 1, name: firstTitles[0] })).toBeVisible()

    await page.getByRole('link', { name: 'Settings' }).click()
    await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible()

    // The worker caches the app's own files only: no chain or share host reply.
    const cached = await page.evaluate(async () => {
      const urls: string[] = []
      for (const name of await caches.keys()) for (const request of await (await caches.open(name)).keys()) urls.push(request.url)
      return urls
    })
    expect(cached.length).toBeGreaterThan(10)
    const origin = new URL(page.url()).origin
    expect(cached.filter((url) => new URL(url).origin !== origin)).toEqual([])

    // Back online, the balance is read again.
    await context.setOffline(false)
    await expect(page.getByTestId('offline-banner')).toHaveCount(0)
    await unlockedWallet.openAccount()
    await expect(page.getByTestId('last-read')).toContainText(/^Read at/)
  })

  test('with the service worker in control, chain requests still go to the network', async ({ page, unlockedWallet }) => {
    await expect(page.getByRole('definition').filter({ hasText: /ETH/ })).toBeVisible()
    await serviceWorkerReady(page)
    await page.route(`${process.env.CAREKEY_E2E_RPC_URL}/**`, (route) => route.abort('connectionrefused'))
    await page.route(`${process.env.CAREKEY_E2E_RPC_URL}`, (route) => route.abort('connectionrefused'))
    await page.reload()
    expect(await controlledByServiceWorker(page)).toBe(true)
    await unlockedWallet.unlock(PASSPHRASE)
    await unlockedWallet.expectAccount(KNOWN_ADDRESS)
    await expect(page.getByRole('alert').filter({ hasText: 'The network cannot be reached right now.' })).toBeVisible()
    await expect(page.getByTestId('last-read')).toContainText('Last known value, read at')
  })
})

/** Builds the app into `outDir` with extra CAREKEY_* variables (another deployment). */
async function buildApp(outDir: string, env: Record<string, string>) {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]))
  Object.assign(process.env, env)
  try {
    await build({ logLevel: 'warn', cacheDir: toolViteCacheDir('e2e'), build: { outDir, emptyOutDir: true } })
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}

test.describe('updates', () => {
  test('a new deployment is announced, waits for an unsaved form, then updates on request and keeps the data', async ({
    page,
    context,
    checkA11y,
  }, testInfo) => {
    test.setTimeout(180_000)
    const first = join('.carekey', `e2e-pwa-${process.pid}-first`)
    const second = join('.carekey', `e2e-pwa-${process.pid}-second`)
    await buildApp(first, {})
    await buildApp(second, { CAREKEY_CHAIN_NAME: 'Local development chain, second build' })
    const site = await startStaticSite(first, await freePort())
    try {
      const wallet = new WalletPage(page)
      await page.goto(site.url)
      await wallet.restore(KNOWN_PHRASE, PASSPHRASE)
      await wallet.expectAccount(KNOWN_ADDRESS)
      await expect(page.getByText('Local development chain', { exact: false })).not.toContainText('second build')
      await serviceWorkerReady(page)
      await page.getByRole('link', { name: 'Settings' }).click()
      await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible()
      const stored = await dumpOriginStorage(page)

      // The patient starts changing the passphrase; meanwhile a new version is deployed.
      await page.getByLabel('Current passphrase').fill('half typed')
      site.serve(second)
      // Coming back online is one of the moments CareKey looks for a new version.
      await context.setOffline(true)
      await context.setOffline(false)
      const prompt = page.getByRole('region', { name: 'CareKey update' })
      await expect(prompt).toContainText('A new version of CareKey is ready.')
      await page.setViewportSize({ width: 360, height: 640 })
      await attachScreenshot(page, testInfo, 'update-prompt-360x640')
      await checkA11y('update prompt')

      await page.evaluate(() => Object.assign(window, { carekeyBeforeUpdate: true }))
      await prompt.getByRole('button', { name: 'Update now' }).click()
      await expect(prompt.getByRole('alert')).toContainText('A form on this screen has changes that are not saved yet.')
      await expect(page.getByLabel('Current passphrase')).toHaveValue('half typed')
      expect(await page.evaluate(() => 'carekeyBeforeUpdate' in window)).toBe(true)

      await page.getByLabel('Current passphrase').fill('')
      await Promise.all([page.waitForEvent('load'), prompt.getByRole('button', { name: 'Update now' }).click()])
      await wallet.expectLocked()
      expect(await page.evaluate(() => 'carekeyBeforeUpdate' in window)).toBe(false)
      expect(await dumpOriginStorage(page)).toBe(stored)

      await wallet.unlock(PASSPHRASE)
      await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible()
      await page.getByRole('link', { name: 'Account' }).click()
      await wallet.expectAccount(KNOWN_ADDRESS)
      await expect(page.getByText('Local development chain, second build')).toBeVisible()
      await expect(page.getByRole('region', { name: 'CareKey update' })).toHaveCount(0)
    } finally {
      await site.close()
      await rm(first, { recursive: true, force: true })
      await rm(second, { recursive: true, force: true })
    }
  })
})

const VIEWPORTS = [
  { width: 360, height: 640 },
  { width: 1280, height: 800 },
]

/** Interactive elements smaller than a 44 × 44 px touch target (links inside a sentence excepted). */
function smallTouchTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const small: string[] = []
    for (const el of document.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea, [role="button"]')) {
      const box = el.getBoundingClientRect()
      const style = getComputedStyle(el)
      // Hidden or visually hidden (the skip link until focused).
      if (box.width <= 1 || box.height <= 1 || style.visibility === 'hidden') continue
      if (el.tagName === 'A' && style.display === 'inline') continue
      if (box.width < 44 || box.height < 44) {
        const name = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40)
        small.push(`${el.tagName.toLowerCase()} "${name}" is ${Math.round(box.width)}×${Math.round(box.height)}`)
      }
    }
    return small
  })
}

for (const colorScheme of ['light', 'dark'] as const) {
  test.describe(`screens in ${colorScheme} mode`, () => {
    test.use({ colorScheme })

    test(`every screen fits a phone and a desktop, with 44 px targets and no serious accessibility issue (${colorScheme})`, async ({
      page,
      wallet,
      checkA11y,
    }, testInfo) => {
      test.setTimeout(180_000)
      const capture = async (screen: string) => {
        for (const viewport of VIEWPORTS) {
          await page.setViewportSize(viewport)
          const name = `${screen}-${viewport.width}x${viewport.height}-${colorScheme}`
          await attachScreenshot(page, testInfo, name)
          await checkA11y(name)
          if (viewport.width === 360) {
            expect(await smallTouchTargets(page), `touch targets on ${name}`).toEqual([])
            expect(await page.evaluate(() => document.documentElement.scrollWidth), `horizontal scrolling on ${name}`).toBeLessThanOrEqual(360)
          }
        }
      }
      const records = new RecordsPage(page)

      await wallet.open()
      await expect(page.getByRole('heading', { name: 'Welcome to CareKey' })).toBeVisible()
      await capture('welcome')
      await page.getByRole('link', { name: 'Create a new wallet' }).click()
      await expect(page.getByRole('list', { name: 'Recovery phrase' })).toBeVisible()
      await capture('recovery-phrase')
      await page.goBack()
      await page.getByRole('link', { name: 'Restore from a recovery phrase' }).click()
      await expect(page.getByRole('heading', { name: 'Restore your wallet' })).toBeVisible()
      await capture('restore')
      await page.goBack()
      await wallet.restore(KNOWN_PHRASE, PASSPHRASE)
      await wallet.expectAccount(KNOWN_ADDRESS)
      await expect(page.getByRole('definition').filter({ hasText: /ETH/ })).toBeVisible()
      await capture('account')

      await records.open()
      await expect(page.getByRole('heading', { name: 'No records yet' })).toBeVisible()
      await capture('records-empty')
      await records.loadSampleData()
      await capture('records')
      await records.listedRecords.first().getByRole('link').click()
      await expect(page.getByRole('heading', { level: 1 })).not.toHaveText('Records')
      await capture('record')
      await records.addRecord('Allergy')
      await expect(page.getByRole('heading', { name: 'Add allergy' })).toBeVisible()
      await capture('record-form')

      await page.getByRole('link', { name: 'Settings' }).click()
      await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible()
      await capture('settings')
      await page.getByRole('link', { name: /Remove wallet from this device/ }).click()
      await expect(page.getByRole('heading', { name: 'Remove wallet from this device' })).toBeVisible()
      await capture('remove-wallet')
      await page.goBack()
      await page.getByRole('button', { name: 'Lock' }).click()
      await wallet.expectLocked()
      await capture('unlock')

      // The clinician's scanner, on a phone held in one hand.
      await page.goto('/scan')
      await expect(page.getByRole('heading', { name: 'Scan a consent QR' })).toBeVisible()
      await capture('scan')
      const share = await createTestShare()
      await page.goto(share.link)
      await expect(page.getByRole('heading', { name: 'Consent verified on chain' })).toBeVisible()
      await capture('viewer')
      await page.getByLabel('Your name and role').fill('Dr. Ada Lovelace')
      await page.getByRole('button', { name: 'Open records' }).click()
      await expect(page.getByRole('heading', { name: 'Peanut allergy' })).toBeVisible()
      await capture('viewer-records')

      await page.goto('/settings')
      await page.context().setOffline(true)
      await wallet.unlock(PASSPHRASE)
      await wallet.expectAccount(KNOWN_ADDRESS)
      await expect(page.getByTestId('last-read')).toContainText('Last known value')
      await capture('account-offline')
    })
  })
}

async function attachScreenshot(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(`${name}.png`)
  await page.screenshot({ path, fullPage: true })
  await testInfo.attach(name, { path, contentType: 'image/png' })
}
