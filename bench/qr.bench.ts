import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from '@playwright/test'
import { chromiumArgs, resolveChromium } from '../e2e/support/browser.ts'
import { writeQrVideo } from '../e2e/support/qr.ts'
import { median, type BenchSuite } from './lib/context.ts'

const RUNS = 5
// As long as a real consent link: viewer URL, then a base64url payload of about 200 characters.
const LINK = `https://carekey.example/view#shlink:/${'eyJ1cmwiOiJodHRwczovL3NoYXJlLmNhcmVrZXkuZXhhbXBsZS9tYW5pZmVzdC8'.repeat(4)}`

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
    await writeQrVideo(LINK, video, { width: 1280, height: 720, frames: 3 })
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
        await page.waitForURL(/#shlink:\//)
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
