import { writeFile } from 'node:fs/promises'
import type { Page } from '@playwright/test'
import { toBuffer } from 'qrcode'
import { expect, test, type OwnChromium } from './support/fixtures.ts'
import { writeQrVideo } from '../scripts/lib/qr.ts'
import { PHONE_CAMERA_FRAMES, qrFrame, sampleConsentLink, sampleShortConsentLink, writeY4m } from '../scripts/lib/qrFrames.ts'
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
  const wasmRequests: string[] = []
  page.on('request', (request) => {
    if (new URL(request.url()).pathname.endsWith('.wasm')) wasmRequests.push(request.url())
  })
  await page.goto('/scan')
  // This browser has no camera device.
  await expect(page.getByRole('alert').first()).toContainText(/camera/i)
  // Nothing to read yet: the bundled decoder (1 MB) is not fetched.
  expect(wasmRequests).toEqual([])
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
  // The picture was read with it.
  expect(wasmRequests).toHaveLength(1)
})

/** What the scanner's user-timing entries say of each frame it read (see QR_DECODE_MEASURE). */
type FrameRead = { engine: 'native' | 'wasm'; variant: 'as-seen' | 'enhanced'; found: boolean }
const framesRead = (page: Page) =>
  page.evaluate(() => performance.getEntriesByName('carekey:qr-decode').map((entry) => (entry as PerformanceMeasure).detail as FrameRead))

/** The scanner found a code in a frame read this way, and the viewer opened with the link. */
async function expectScanned(page: Page, read: Partial<FrameRead>) {
  await expect.poll(() => framesRead(page)).toContainEqual(expect.objectContaining({ ...read, found: true }))
  await expect(page).toHaveURL(/\/view(#|$)/)
  expect(await page.evaluate(() => performance.getEntriesByName('carekey:qr-decoded').length)).toBe(1)
}

test('the scanner reads degraded camera frames: turned, blurred, with glare and noise; and a dim, noisy screen once enhanced', async ({ ownChromium }) => {
  // Today's link (the grant at the share host), and the long one that carries its grant: the
  // densest code a clinician still meets, in the frame whose glare today's smaller code does not
  // survive, and on the dim screen, which Chromium's camera makes readable as seen for today's code.
  const long = sampleConsentLink(`${baseURL}/view`)
  const videos = [
    { name: 'phone', frame: qrFrame(long, PHONE_CAMERA_FRAMES['all at once, at 1280×720']), read: {} },
    { name: 'phone-short', frame: qrFrame(sampleShortConsentLink(`${baseURL}/view`), PHONE_CAMERA_FRAMES['turned, tipped and rotated']), read: {} },
    // As seen, the decoder finds nothing in this one (src/features/scan/degradedFrames.test.ts).
    { name: 'dim', frame: qrFrame(long, PHONE_CAMERA_FRAMES['low contrast and sensor noise']), read: { variant: 'enhanced' } as const },
  ]
  for (const { name, frame, read } of videos) {
    const video = test.info().outputPath(`${name}.y4m`)
    await writeY4m([frame, frame, frame], video)
    const browser = await ownChromium.launch({ args: cameraShowing(video) })
    try {
      const page = await browser.newPage({ baseURL })
      await page.goto('/scan')
      await expectScanned(page, { engine: 'wasm', ...read })
    } finally {
      await browser.close()
    }
  }
})

test.describe('the browser’s own BarcodeDetector (Chrome on Android and macOS, Safari)', () => {
  /**
   * A page whose browser has a BarcodeDetector (Chromium on Linux has none): it lists `formats`
   * and answers every camera frame with `answer`, or fails as a platform service can. No service
   * worker, so every request the page makes for the WebAssembly decoder is seen here.
   */
  async function pageWithNativeDetector(ownChromium: OwnChromium, native: { formats: string[]; answer: string; fails: boolean }) {
    const video = test.info().outputPath('consent-qr.y4m')
    await writeQrVideo(LINK, video)
    const browser = await ownChromium.launch({ args: cameraShowing(video) })
    const context = await browser.newContext({ baseURL, serviceWorkers: 'block' })
    await context.addInitScript((options) => {
      type Source = HTMLVideoElement | { width: number; height: number }
      const calls = { constructed: [] as unknown[], frames: [] as string[] }
      Object.assign(window, { barcodeDetectorCalls: calls })
      class FakeBarcodeDetector {
        static getSupportedFormats() {
          return Promise.resolve(options.formats)
        }
        constructor(settings: unknown) {
          calls.constructed.push(settings)
        }
        detect(source: Source) {
          const [width, height] = source instanceof HTMLVideoElement ? [source.videoWidth, source.videoHeight] : [source.width, source.height]
          calls.frames.push(`${source.constructor.name} ${width}×${height}`)
          if (options.fails) return Promise.reject(new DOMException('Barcode detection service unavailable.', 'NotSupportedError'))
          return Promise.resolve(width > 0 ? [{ rawValue: options.answer, format: 'qr_code', boundingBox: new DOMRectReadOnly(), cornerPoints: [] }] : [])
        }
      }
      Object.defineProperty(window, 'BarcodeDetector', { value: FakeBarcodeDetector, configurable: true })
    }, native)
    const page = await context.newPage()
    const wasmRequests: string[] = []
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.endsWith('.wasm')) wasmRequests.push(request.url())
    })
    const calls = () => page.evaluate(() => (window as unknown as { barcodeDetectorCalls: { constructed: unknown[]; frames: string[] } }).barcodeDetectorCalls)
    return { page, calls, wasmRequests, close: () => context.close() }
  }

  test('is used when it reads QR codes, on the camera’s frames, and the code it reads opens the viewer; the bundled decoder is never fetched', async ({ ownChromium }) => {
    const native = await pageWithNativeDetector(ownChromium, { formats: ['ean_13', 'qr_code'], answer: LINK, fails: false })
    try {
      await native.page.goto('/scan')
      await expectScanned(native.page, { engine: 'native' })
      const calls = await native.calls()
      expect(calls.constructed).toEqual([{ formats: ['qr_code'] }])
      expect(calls.frames[0]).toBe('HTMLVideoElement 640×480')
      expect(native.wasmRequests).toEqual([])
    } finally {
      await native.close()
    }
  })

  test('is passed over when it does not list qr_code: the bundled decoder reads the code', async ({ ownChromium }) => {
    const native = await pageWithNativeDetector(ownChromium, { formats: ['ean_13', 'code_128'], answer: 'not this', fails: false })
    try {
      await native.page.goto('/scan')
      await expectScanned(native.page, { engine: 'wasm' })
      expect((await native.calls()).frames).toEqual([])
      expect(native.wasmRequests).toHaveLength(1)
    } finally {
      await native.close()
    }
  })

  test('hands over to the bundled decoder, for good, when its detect fails', async ({ ownChromium }) => {
    const native = await pageWithNativeDetector(ownChromium, { formats: ['qr_code'], answer: 'not this', fails: true })
    try {
      await native.page.goto('/scan')
      await expectScanned(native.page, { engine: 'wasm' })
      expect((await native.calls()).frames).toEqual(['HTMLVideoElement 640×480'])
      expect(native.wasmRequests).toHaveLength(1)
    } finally {
      await native.close()
    }
  })
})
