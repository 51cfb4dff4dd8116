import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { writeFile } from 'node:fs/promises'
import { create } from 'qrcode'
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader'

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
 * (`--use-file-for-fake-video-capture`). A y4m file is a text header and raw YUV 4:2:0
 * frames; the code is drawn black on white into the luma plane with a quiet zone, chroma
 * neutral. A few identical frames at 10 fps; Chromium loops them.
 */
export async function writeQrVideo(text: string, path: string, { width = 640, height = 480, frames = 5 } = {}): Promise<void> {
  const qr = create(text, { errorCorrectionLevel: 'M' })
  const modules = qr.modules.size
  const quiet = 4
  const scale = Math.floor(Math.min(width, height) / (modules + quiet * 2))
  if (scale < 2) throw new Error(`a ${modules}-module QR code does not fit a ${width}×${height} video`)
  const left = Math.floor((width - modules * scale) / 2)
  const top = Math.floor((height - modules * scale) / 2)
  const luma = new Uint8Array(width * height).fill(235)
  for (let y = 0; y < modules; y++) {
    for (let x = 0; x < modules; x++) {
      if (!qr.modules.data[y * modules + x]) continue
      for (let dy = 0; dy < scale; dy++) luma.fill(16, (top + y * scale + dy) * width + left + x * scale, (top + y * scale + dy) * width + left + (x + 1) * scale)
    }
  }
  const chroma = new Uint8Array((width / 2) * (height / 2)).fill(128)
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`)
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma, chroma])
  await writeFile(path, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]))
}
