import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader'
import { qrFrame, writeY4m } from './qrFrames.ts'

const require = createRequire(import.meta.url)
let prepared: Promise<unknown> | undefined

/** Reads the QR codes in an image (PNG, JPEG, ...) in Node, with the same ZXing decoder the app bundles. */
export async function decodeQrImage(image: Uint8Array): Promise<string[]> {
  prepared ??= readFile(require.resolve('zxing-wasm/reader/zxing_reader.wasm')).then((wasmBinary) =>
    prepareZXingModule({ overrides: { wasmBinary: new Uint8Array(wasmBinary).buffer }, fireImmediately: true }),
  )
  await prepared
  const results = await readBarcodes(image, { formats: ['QRCode'], tryHarder: true })
  return results.filter((r) => r.isValid).map((r) => r.text)
}

/**
 * Writes a y4m video that shows a QR code of `text`, for Chromium's fake camera
 * (`--use-file-for-fake-video-capture`): the code black on white, as large as fits with a
 * quiet zone, in a few identical frames at 10 fps that Chromium loops. `qrFrame` and
 * `writeY4m` (qrFrames.ts) draw degraded codes too.
 */
export async function writeQrVideo(text: string, path: string, { width = 640, height = 480, frames = 5 } = {}): Promise<void> {
  const frame = qrFrame(text, { width, height })
  await writeY4m(Array.from({ length: frames }, () => frame), path)
}
