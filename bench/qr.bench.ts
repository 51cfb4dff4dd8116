import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from '@playwright/test'
import { chromiumArgs, resolveChromium } from '../scripts/lib/browser.ts'
import { writeQrVideo } from '../scripts/lib/qr.ts'
import { create } from 'qrcode'
import { careKeyShareLink, manifestUrlFor, newShareId, newShareKey } from '../src/domain/shl/index.ts'
import { median, type BenchSuite } from './lib/context.ts'

const RUNS = 5
/** Where the app is served, with its share host on the same origin (`npm start`), as in the README. */
const ORIGIN = 'https://carekey.example.org'

/**
 * A consent link as the patient's app makes it today (consentQrLink): the viewer URL and a
 * SMART Health Link with a passcode (flag LP), its grant at the share host (`"_ck":2`).
 */
function consentLink(): string {
  return careKeyShareLink(`${ORIGIN}/view`, { manifestUrl: manifestUrlFor(ORIGIN, newShareId()), key: newShareKey(), flags: ['L', 'P'] })
}

/**
 * share.qr_version and share.link_chars: the QR code of a typical consent link (consentLink),
 * drawn as the app draws it (src/ui/QrCode.tsx, error correction M). Version 10 or lower is the
 * aim; a SMART Health Link behind a viewer URL of this length needs 11 (README, "Consent QR links").
 */
export const shareQrSuite: BenchSuite = {
  name: 'share',
  rows: ['share.qr_version', 'share.link_chars'],
  run() {
    const link = consentLink()
    return Promise.resolve([
      { name: 'share.qr_version', value: create(link, { errorCorrectionLevel: 'M' }).version, unit: `QR version at error correction M (${ORIGIN})` },
      { name: 'share.link_chars', value: link.length, unit: 'characters in the consent link' },
    ])
  },
}

/**
 * qr.decode_frame_ms: decoding one 1280×720 camera frame that holds a consent QR, in headless
 * Chromium, with the decoder the app uses there (the bundled ZXing WebAssembly; Chromium on
 * Linux has no BarcodeDetector). Read from the scanner's own performance measure; median over
 * the frames decoded in several page loads.
 */
export const qrSuite: BenchSuite = {
  name: 'qr',
  async run(ctx) {
    const dir = await mkdtemp(join(tmpdir(), 'carekey-bench-qr-'))
    const video = join(dir, 'frame.y4m')
    await writeQrVideo(consentLink(), video, { width: 1280, height: 720, frames: 3 })
    const browser = await chromium.launch({
      executablePath: resolveChromium().executablePath,
      args: [...chromiumArgs(), '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
    })
    const appUrl = await ctx.appUrl()
    const durations: number[] = []
    try {
      for (let i = 0; i < RUNS; i++) {
        const page = await browser.newPage()
        await page.goto(`${appUrl}/scan`)
        // The scanner holds the link in memory and opens the viewer at plain /view.
        await page.waitForURL(/\/view$/)
        const measured = await page.evaluate(() => performance.getEntriesByName('carekey:qr-decode').map((e) => e.duration))
        if (measured.length === 0) throw new Error('the scanner recorded no decode')
        durations.push(...measured)
        await page.close()
      }
    } finally {
      await browser.close()
      await rm(dir, { recursive: true, force: true })
    }
    return [{ name: 'qr.decode_frame_ms', value: median(durations), unit: 'ms' }]
  },
}
