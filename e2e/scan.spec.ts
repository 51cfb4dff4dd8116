import { writeFile } from 'node:fs/promises'
import { toBuffer } from 'qrcode'
import { expect, test } from './support/fixtures.ts'
import { writeQrVideo } from '../scripts/lib/qr.ts'
import { manifestUrlFor, newShareId, newShareKey, shlinkViewerUrl } from '../src/domain/shl/index.ts'

const baseURL = process.env.CAREKEY_E2E_BASE_URL ?? ''
// A valid SMART Health Link (to a host that does not exist: these tests stop at the viewer's door).
const LINK = shlinkViewerUrl(`${baseURL}/view`, { url: manifestUrlFor('https://share.example.org', newShareId()), key: newShareKey(), flags: ['L'] })

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
    await expect(page).toHaveURL(LINK)
  } finally {
    await browser.close()
  }
})

test('the scanner reads a picture of the code', async ({ page }, testInfo) => {
  const picture = testInfo.outputPath('qr.png')
  await writeFile(picture, await toBuffer(LINK, { margin: 4, scale: 6 }))
  await page.goto('/scan')
  await page.getByLabel('Choose a picture of the code').setInputFiles(picture)
  await expect(page).toHaveURL(LINK)
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
