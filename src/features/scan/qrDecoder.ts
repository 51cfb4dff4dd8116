import { CareKeyError } from '../../domain/errors.ts'

/** Something a QR code can be read from: a video frame, a canvas, a bitmap or an image file. */
export type QrSource = HTMLVideoElement | HTMLCanvasElement | ImageBitmap | HTMLImageElement | Blob

export type QrDecoder = {
  /** The texts of the QR codes visible in the source (usually zero or one). */
  detect(source: QrSource): Promise<string[]>
  /** 'native' when the browser's BarcodeDetector is used, 'wasm' for the bundled decoder. */
  readonly engine: 'native' | 'wasm'
}

export class QrDecoderUnavailableError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super('This browser cannot read QR codes.', 'Paste the link instead, or open it in a current browser.', options)
  }
}

type DetectorLike = { detect(source: QrSource): Promise<{ rawValue: string }[]> }
type DetectorClass = {
  new (options: { formats: string[] }): DetectorLike
  getSupportedFormats?: () => Promise<readonly string[]>
}

let decoder: Promise<QrDecoder> | undefined

/**
 * The QR decoder: the browser's BarcodeDetector where it reads QR codes (Chrome on Android and
 * macOS, Safari), otherwise the ZXing WebAssembly decoder bundled with the app (Chromium on
 * Linux and Windows, Firefox). The WebAssembly file is served by CareKey itself, so scanning
 * works offline and under a strict content security policy.
 *
 * @example
 * const decoder = await loadQrDecoder()
 * const [text] = await decoder.detect(videoElement)
 */
export function loadQrDecoder(): Promise<QrDecoder> {
  decoder ??= createDecoder().catch((error: unknown) => {
    decoder = undefined
    throw error instanceof CareKeyError ? error : new QrDecoderUnavailableError({ cause: error })
  })
  return decoder
}

async function createDecoder(): Promise<QrDecoder> {
  const native = (globalThis as { BarcodeDetector?: DetectorClass }).BarcodeDetector
  if (native?.getSupportedFormats && (await native.getSupportedFormats()).includes('qr_code')) {
    return wrap(new native({ formats: ['qr_code'] }), 'native')
  }
  const [{ BarcodeDetector, prepareZXingModule }, { default: wasmUrl }] = await Promise.all([
    import('barcode-detector/ponyfill'),
    import('zxing-wasm/reader/zxing_reader.wasm?url'),
  ])
  prepareZXingModule({
    overrides: { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? wasmUrl : prefix + path) },
  })
  return wrap(new BarcodeDetector({ formats: ['qr_code'] }), 'wasm')
}

function wrap(detector: DetectorLike, engine: QrDecoder['engine']): QrDecoder {
  return {
    engine,
    async detect(source) {
      const found = await detector.detect(source)
      return found.map((b) => b.rawValue).filter((text) => text.length > 0)
    },
  }
}
