import { writeFile } from 'node:fs/promises'
import type { Page } from '@playwright/test'
import { toBuffer } from 'qrcode'
import { expect, test } from './support/fixtures.ts'
import { writeQrVideo } from '../scripts/lib/qr.ts'
import { manifestUrlFor, newShareId, newShareKey, shlinkViewerUrl } from '../src/domain/shl/index.ts'

const baseURL = process.env.CAREKEY_E2E_BASE_URL ?? ''
// A valid SMART Health Link (to a host that does not exist: these tests stop at the viewer's door).
const LABEL = 'For the front desk'
const LINK = shlinkViewerUrl(`${baseURL}/view`, { url: manifestUrlFor('https://share.example.org', newShareId()), key: newShareKey(), flags: ['L'], label: LABEL })

/** The viewer opened the scanned link, and the address shows none of it: plain /view. */
async function expectViewerOpened(page: Page) {
  await expect(page.getByRole('heading', { name: LABEL })).toBeVisible()
  await expect(page).toHaveURL(`${baseURL}/view`)
}

/** Chromium's flags for a camera that shows the given video file. */
const cameraShowing = (video: string) => ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`]

test('the scanner reads a consent QR from the camera and opens its link', async ({ ownChromium }) => {
  const video = test.info().outputPath('consent-qr.y4m')
  await writeQrVideo(LINK, video)
  const browser = await ownChromium.launch({ args: cameraShowing(video) })
  try {
    const page = await browser.newPage({ baseURL })
    await page.goto('/scan')
    // The camera shows the code from its first frame: the scanner may leave /scan at once.
    await expectViewerOpened(page)
  } finally {
    await browser.close()
  }
})

test('the scanner reads a picture of the code', async ({ page }, testInfo) => {
  const picture = testInfo.outputPath('qr.png')
  await writeFile(picture, await toBuffer(LINK, { margin: 4, scale: 6 }))
  await page.goto('/scan')
  await page.getByLabel('Choose a picture of the code').setInputFiles(picture)
  await expectViewerOpened(page)
  // Back is the scanner, and reloading the viewer does not open the link again.
  await page.goBack()
  await expect(page).toHaveURL(`${baseURL}/scan`)
  await page.goForward()
  await expect(page).toHaveURL(`${baseURL}/view`)
  await page.reload()
  await expect(page.getByRole('heading', { name: 'Open the link again or scan the QR code' })).toBeVisible()
})

test('a pasted link opens the viewer without entering the address', async ({ page }) => {
  await page.goto('/scan')
  await page.getByLabel('Shared link').fill(LINK)
  await page.getByRole('button', { name: 'Open' }).click()
  await expectViewerOpened(page)
})

test('a picture without a code, a link that is not a share, and no camera are explained', async ({ page, checkA11y }, testInfo) => {
  await page.goto('/scan')
  // This browser has no camera device.
  await expect(page.getByRole('alert').first()).toContainText(/camera/i)
  await checkA11y('scan')

  await page.getByLabel('Shared link').fill('https://example.org/not-a-share')
  await page.getByRole('button', { name: 'Open' }).click()
  await expect(page.getByRole('alert').filter({ hasText: 'That is not a shared health record link.' })).toBeVisible()
  await page.getByLabel('Shared link').fill(`${baseURL}/view#shlink:/eyJ1cmwiOiJodHRwczovL2V4YW1wbGUub3JnIn0`)
  await page.getByRole('button', { name: 'Open' }).click()
  await expect(page.getByRole('alert').filter({ hasText: 'This is not a valid share link' })).toBeVisible()
  await expect(page).toHaveURL(`${baseURL}/scan`)

  const blank = testInfo.outputPath('blank.png')
  // A 1×1 white PNG.
  await writeFile(blank, Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==', 'base64'))
  await page.getByLabel('Choose a picture of the code').setInputFiles(blank)
  await expect(page.getByRole('alert').filter({ hasText: 'No QR code was found in that picture.' })).toBeVisible()
})
