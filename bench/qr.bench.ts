import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { qrFrame, writeY4m } from '../scripts/lib/qrFrames.ts'
import { create } from 'qrcode'
import { careKeyShareLink, manifestUrlFor, newShareId, newShareKey } from '../src/domain/shl/index.ts'
import { BENCH_DIST, timingRow, type BenchSuite } from './lib/context.ts'
import { freshBrowser, phoneUnit, applyPhoneProfile } from './lib/phone.ts'
import { cameraShowing } from './lib/shares.ts'

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

/** A page that is not CareKey, on the app's origin (so the same `.wasm` comes from the same server), for zxing-wasm on its own. */
const ZXING_ALONE_PATH = '/__bench-zxing-alone'

type DecodeAlone = (wasmUrl: string, width: number, height: number) => Promise<{ ms: number; text: string | undefined }>

/**
 * The page for zxing-wasm alone: its IIFE build, and `decodeAlone` (DecodeAlone), which loads
 * the decoder, reads a blank frame, then times reading the frame's pixels (fetched from
 * `frame`) with the ponyfill's options.
 */
const ZXING_ALONE_PAGE = `<!doctype html><title>zxing-wasm alone</title><script src="zxing.js"></script><script>
window.decodeAlone = async (wasmUrl, width, height) => {
  const pixels = new Uint8ClampedArray(await (await fetch('frame')).arrayBuffer())
  const image = new ImageData(pixels, width, height)
  await ZXingWASM.prepareZXingModule({ overrides: { locateFile: (path, prefix) => (path.endsWith('.wasm') ? wasmUrl : prefix + path) }, fireImmediately: true })
  // A frame with no code first, as the scanner reads before the code comes into view.
  await ZXingWASM.readBarcodes(new ImageData(new Uint8ClampedArray(width * height * 4).fill(235), width, height), { formats: ['QRCode'], textMode: 'Plain' })
  const started = performance.now()
  const [found] = await ZXingWASM.readBarcodes(image, { formats: ['QRCode'], textMode: 'Plain' })
  return { ms: performance.now() - started, text: found?.text }
}
</script>`

/**
 * qr.decode_frame_ms: the scanner decoding the camera frame in which it finds a consent QR
 * (consentLink; 1280×720, after a second of frames with no code, so the decoder is warm), on
 * the phone profile (4x CPU) in a fresh Chromium per run, with the decoder the app uses there
 * (the bundled ZXing WebAssembly through the barcode-detector ponyfill; Chromium on Linux has
 * no BarcodeDetector). Read from the scanner's own measure (`carekey:qr-decode`): the frame
 * grabbed from the video, the decode.
 * qr.decode_frame_zxing_alone_ms, its reference, in the same browser right after: zxing-wasm's
 * own build (its IIFE `readBarcodes`, the ponyfill's options) in a page with no app code,
 * decoding the same frame's pixels after a blank one, on the same profile.
 */
export const qrSuite: BenchSuite = {
  name: 'qr',
  async run(ctx) {
    const dir = await mkdtemp(join(tmpdir(), 'carekey-bench-qr-'))
    const video = join(dir, 'frame.y4m')
    const link = consentLink()
    // A second of frames with no code in them, then the code: the scanner's decoder is warm when it reads it.
    const frame = qrFrame(link, { width: 1280, height: 720 })
    const blank = { width: frame.width, height: frame.height, data: new Uint8ClampedArray(frame.data.length).fill(235) }
    await writeY4m([...Array.from({ length: 10 }, () => blank), frame, frame, frame], video)
    // The frame as a canvas gives its pixels (RGBA, gray in every channel).
    const rgba = Buffer.alloc(frame.data.length * 4, 255)
    frame.data.forEach((gray, i) => rgba.fill(gray, i * 4, i * 4 + 3))
    const appUrl = await ctx.appUrl()
    const wasmFile = (await readdir(join(BENCH_DIST, 'assets'))).find((name) => /^zxing_reader.*\.wasm$/.test(name))
    if (!wasmFile) throw new Error('the build has no zxing_reader .wasm')
    const zxingScript = await readFile(join(dirname(createRequire(import.meta.url).resolve('zxing-wasm/reader')), '..', '..', 'iife', 'reader', 'index.js'))
    const app: number[] = []
    const alone: number[] = []
    try {
      for (let i = 0; i < RUNS; i++) {
        const browser = await freshBrowser(cameraShowing(video))
        try {
          const context = await browser.newContext({ serviceWorkers: 'block' })
          const page = await context.newPage()
          await applyPhoneProfile(page)
          await page.goto(`${appUrl}/scan`)
          // The scanner holds the link in memory and opens the viewer at plain /view.
          await page.waitForURL(/\/view$/)
          const found = await page.evaluate(() =>
            performance.getEntriesByName('carekey:qr-decode').flatMap((e) => (((e as PerformanceMeasure).detail as { found?: boolean } | null)?.found ? [e.duration] : [])),
          )
          if (found[0] === undefined) throw new Error('the scanner recorded no decode that found the code')
          app.push(found[0])
          await page.close()

          await context.route(`${appUrl}${ZXING_ALONE_PATH}/**`, (route) => {
            const path = new URL(route.request().url()).pathname.slice(ZXING_ALONE_PATH.length)
            if (path === '/zxing.js') return route.fulfill({ contentType: 'text/javascript', body: zxingScript })
            if (path === '/frame') return route.fulfill({ contentType: 'application/octet-stream', body: rgba })
            return route.fulfill({ contentType: 'text/html', body: ZXING_ALONE_PAGE })
          })
          const bare = await context.newPage()
          await applyPhoneProfile(bare)
          await bare.goto(`${appUrl}${ZXING_ALONE_PATH}/`)
          const { ms, text } = await bare.evaluate(
            ({ wasmUrl, width, height }) => (globalThis as unknown as { decodeAlone: DecodeAlone }).decodeAlone(wasmUrl, width, height),
            { wasmUrl: `${appUrl}/assets/${wasmFile}`, width: frame.width, height: frame.height },
          )
          if (text !== link) throw new Error('zxing-wasm alone did not read the frame')
          alone.push(ms)
        } finally {
          await browser.close()
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
    return [timingRow('qr.decode_frame_ms', app, phoneUnit()), timingRow('qr.decode_frame_zxing_alone_ms', alone, phoneUnit())]
  },
}
