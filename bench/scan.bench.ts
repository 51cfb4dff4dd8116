import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeQrVideo } from '../scripts/lib/qr.ts'
import { nodeQrDecoder, PHONE_CAMERA_FRAMES, qrFrame, sampleShortConsentLink, toImageData } from '../scripts/lib/qrFrames.ts'
import { enhanceQrFrame } from '../src/features/scan/frameEnhance.ts'
import { readQrVariant } from '../src/features/scan/qrDecoder.ts'
import { timingRow, type BenchRow, type BenchSuite } from './lib/context.ts'
import { freshBrowser, phoneUnit, applyPhoneProfile } from './lib/phone.ts'
import { benchShare, cameraShowing } from './lib/shares.ts'

const RUNS = 5
const PASSCODE = '246810'
/** The rows of shareScanSuite: `npm run bench -- share.scan` runs it. */
const SHARE_SCAN_ROWS = ['share.scan_decode_ms', 'share.scan_verify_ms', 'share.scan_open_ms', 'share.scan_to_records_ms', 'share.scan_to_verified_ms']

/**
 * A clinician scans a patient's consent QR, on the phone profile (4x CPU, 100 ms added to every
 * request) in a fresh Chromium per run, its fake camera showing a consent made on the local
 * stack (anvil and the share host) as the app makes it today: a passcode, the grant at the
 * share host, the short `"_ck":2` link (version 11). Every figure is read from the page's own
 * user-timing entries (src/features/clinician/marks.ts, src/features/scan/QrScanner.tsx):
 * - share.scan_decode_ms: decoding the camera frame in which the code was found (`carekey:qr-decode`);
 * - share.scan_verify_ms: from the decode to the consent checked and the open form shown: the
 *   viewer route loads, the grant is read from the share host and decrypted, then checked on
 *   chain (`carekey:share-checked`);
 * - share.scan_open_ms: from pressing "Open records" (name and passcode typed) to the records on
 *   screen: the manifest and the file from the share host, decryption, the data hash and scope
 *   checks, rendering (`carekey:share-opened`);
 * - share.scan_to_records_ms: the three added up, per run: what the clinician waits for, the
 *   typing left out;
 * - share.scan_to_verified_ms: from the decode to the open step's success, the typing of the
 *   name and the passcode by the bench included (`carekey:share-verified`).
 * Each run scans a fresh share. Service workers are blocked: a clinician's first visit has none.
 */
export const shareScanSuite: BenchSuite = {
  name: 'share',
  rows: SHARE_SCAN_ROWS,
  async run(ctx) {
    const appUrl = await ctx.appUrl()
    const dir = await mkdtemp(join(tmpdir(), 'carekey-bench-scan-'))
    const steps = { decode: [] as number[], verify: [] as number[], open: [] as number[], total: [] as number[], verified: [] as number[] }
    try {
      for (let i = 0; i < RUNS; i++) {
        const share = await benchShare(ctx, { passcode: PASSCODE })
        const video = join(dir, `share-${i}.y4m`)
        await writeQrVideo(share.link, video, { width: 1280, height: 720, frames: 3 })
        const browser = await freshBrowser(cameraShowing(video))
        try {
          const page = await (await browser.newContext({ serviceWorkers: 'block' })).newPage()
          await applyPhoneProfile(page, { latency: true })
          await page.goto(`${appUrl}/scan`)
          await page.getByLabel('Your name and role').fill('Dr. Bench', { timeout: 60_000 })
          await page.getByLabel('Passcode').fill(PASSCODE)
          await page.getByRole('button', { name: 'Open records' }).click()
          await page.getByRole('heading', { name: 'Peanut allergy' }).waitFor({ timeout: 60_000 })
          // No named helpers in here: the page runs this function's source, without the bundler's helpers.
          const read = await page.evaluate(() => {
            const [decode, verify, open, verified] = ['carekey:qr-decode', 'carekey:share-checked', 'carekey:share-opened', 'carekey:share-verified'].map(
              (name) => performance.getEntriesByName(name).filter((e) => name !== 'carekey:qr-decode' || ((e as PerformanceMeasure).detail as { found?: boolean } | null)?.found).at(-1)?.duration ?? Number.NaN,
            )
            return { decode: decode ?? Number.NaN, verify: verify ?? Number.NaN, open: open ?? Number.NaN, verified: verified ?? Number.NaN }
          })
          if (Object.values(read).some((v) => Number.isNaN(v))) throw new Error(`the viewer did not record every step: ${JSON.stringify(read)}`)
          steps.decode.push(read.decode)
          steps.verify.push(read.verify)
          steps.open.push(read.open)
          steps.total.push(read.decode + read.verify + read.open)
          steps.verified.push(read.verified)
        } finally {
          await browser.close()
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
    const unit = phoneUnit({ latency: true })
    return [
      timingRow('share.scan_decode_ms', steps.decode, unit),
      timingRow('share.scan_verify_ms', steps.verify, unit),
      timingRow('share.scan_open_ms', steps.open, unit),
      timingRow('share.scan_to_records_ms', steps.total, unit),
      timingRow('share.scan_to_verified_ms', steps.verified, `${unit}, typing included`),
    ]
  },
}

/**
 * What the frame enhancement buys on degraded camera frames, measured in Node with the app's
 * WebAssembly decoder (the one Chromium on Linux uses) on the frames the unit tests assert
 * (PHONE_CAMERA_FRAMES, scripts/lib/qrFrames.ts), drawn from a consent link as the app makes it
 * today (sampleShortConsentLink: version 11):
 * - scan.degraded_read_as_seen_pct: the share of them read from the frame as the camera gives it;
 * - scan.degraded_read_pct: the share the scanner reads (as seen, else enhanced);
 * - scan.degraded_read_frame_ms: time for the scanner to read one of them (both variants when needed);
 * - scan.enhance_frame_ms: time to enhance one 1280×720 frame (the camera's resolution).
 */
export const scanSuite: BenchSuite = {
  name: 'scan',
  async run() {
    const decoder = await nodeQrDecoder()
    const link = sampleShortConsentLink()
    const pixels = (source: unknown) => {
      if (!(source instanceof ImageData)) throw new TypeError('the bench reads pixels only')
      return source
    }
    const frames = Object.values(PHONE_CAMERA_FRAMES).map((options) => toImageData(qrFrame(link, options)))
    let asSeen = 0
    let read = 0
    const times: number[] = []
    for (const frame of frames) {
      for (let run = 0; run < RUNS; run++) {
        const started = performance.now()
        const seen = await readQrVariant(decoder, frame, 'as-seen', pixels)
        const text = seen ?? (await readQrVariant(decoder, frame, 'enhanced', pixels))
        times.push(performance.now() - started)
        if (run > 0) continue
        if (seen === link) asSeen++
        if (text === link) read++
      }
    }
    const camera = toImageData(qrFrame(link, { width: 1280, height: 720, noise: 8 }))
    const enhanceTimes = Array.from({ length: RUNS * 4 }, () => {
      const started = performance.now()
      enhanceQrFrame(camera)
      return performance.now() - started
    })
    const pct = (n: number) => (100 * n) / frames.length
    const rows: BenchRow[] = [
      { name: 'scan.degraded_read_as_seen_pct', value: pct(asSeen), unit: '%' },
      { name: 'scan.degraded_read_pct', value: pct(read), unit: '%' },
      timingRow('scan.degraded_read_frame_ms', times, 'ms, Node'),
      timingRow('scan.enhance_frame_ms', enhanceTimes, 'ms, Node'),
    ]
    return rows
  },
}
