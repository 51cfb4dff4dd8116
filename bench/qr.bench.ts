import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from '@playwright/test'
import { chromiumArgs, resolveChromium } from '../scripts/lib/browser.ts'
import { writeQrVideo } from '../scripts/lib/qr.ts'
import { bytesToHex, type Hex } from 'viem'
import { careKeyExtension, manifestUrlFor, newShareId, newShareKey, shlinkViewerUrl } from '../src/domain/shl/index.ts'
import { median, type BenchSuite } from './lib/context.ts'

const RUNS = 5
const bytes32 = (): Hex => bytesToHex(crypto.getRandomValues(new Uint8Array(32)))

/** A consent link as the patient's app makes it for "whoever I show this QR to" (the longest kind, about 780 characters). */
function consentLink(): string {
  return shlinkViewerUrl('https://carekey.example/view', {
    url: manifestUrlFor('https://share.carekey.example', newShareId()),
    key: newShareKey(),
    exp: 1_900_000_000,
    flags: ['L'],
    label: 'CareKey shared records',
    extensions: careKeyExtension({
      chainId: 31337,
      registry: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
      terms: {
        patient: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
        grantee: bytes32(),
        scopeHash: bytes32(),
        purpose: bytes32(),
        validFrom: 1_800_000_000n,
        validUntil: 1_900_000_000n,
        dataHash: bytes32(),
        salt: bytes32(),
      },
      bearerSecret: bytes32(),
    }),
  })
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
