import { CareKeyError } from '../../domain/errors.ts'
import { enhanceQrFrame } from './frameEnhance.ts'

/** Something a QR code can be read from: a video frame, a canvas, pixels, a bitmap or an image file. */
export type QrSource = HTMLVideoElement | HTMLCanvasElement | ImageData | ImageBitmap | HTMLImageElement | Blob

export type QrDecoder = {
  /** The texts of the QR codes visible in the source (usually zero or one). */
  detect(source: QrSource): Promise<string[]>
  /**
   * 'native' while the browser's BarcodeDetector is used, 'wasm' for the bundled decoder
   * (from the start, or since the native one failed).
   */
  readonly engine: 'native' | 'wasm'
}

export class QrDecoderUnavailableError extends CareKeyError {
  constructor(options?: ErrorOptions) {
    super('This browser cannot read QR codes.', 'Paste the link instead, or open it in a current browser.', options)
  }
}

type DetectorLike = { detect(source: QrSource): Promise<{ rawValue: string }[]> }

/** The shape of the Barcode Detection API's `BarcodeDetector` class, as far as CareKey uses it. */
export type BarcodeDetectorClass = {
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
  const native = (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector
  decoder ??= chooseQrDecoder(native, loadBundledDecoder).catch((error: unknown) => {
    decoder = undefined
    throw error instanceof CareKeyError ? error : new QrDecoderUnavailableError({ cause: error })
  })
  return decoder
}

/**
 * Picks the decoder: `native` (the browser's BarcodeDetector class, if any) when it says it
 * reads `qr_code`, else the one `loadWasm` gives. A native decoder whose `detect` fails (some
 * builds list formats their platform service cannot read) hands over to the WebAssembly one,
 * for that frame and every later one.
 *
 * @example
 * const decoder = await chooseQrDecoder(globalThis.BarcodeDetector, () => createWasmQrDecoder({ locateFile }))
 */
export async function chooseQrDecoder(native: BarcodeDetectorClass | undefined, loadWasm: () => Promise<QrDecoder>): Promise<QrDecoder> {
  if (!native || !(await readsQrCodes(native))) return loadWasm()
  let current = wrap(new native({ formats: ['qr_code'] }), 'native')
  let fallback: Promise<QrDecoder> | undefined
  return {
    get engine() {
      return current.engine
    },
    async detect(source) {
      if (current.engine === 'native') {
        try {
          return await current.detect(source)
        } catch {
          // The native service cannot read this frame (or any): the bundled decoder takes over.
          fallback ??= loadWasm().catch((error: unknown) => {
            fallback = undefined
            throw new QrDecoderUnavailableError({ cause: error })
          })
          current = await fallback
        }
      }
      return current.detect(source)
    },
  }
}

async function readsQrCodes(native: BarcodeDetectorClass): Promise<boolean> {
  try {
    return (await native.getSupportedFormats?.())?.includes('qr_code') ?? false
  } catch {
    // A BarcodeDetector that cannot even list its formats will not read a QR code either.
    return false
  }
}

/** Where Emscripten finds the ZXing `.wasm` (`locateFile`), or its bytes (`wasmBinary`, in Node). */
export type WasmSource = { locateFile: (path: string, prefix: string) => string } | { wasmBinary: ArrayBuffer }

/**
 * The ZXing WebAssembly decoder, through the `barcode-detector` ponyfill.
 *
 * @example
 * const decoder = await createWasmQrDecoder({ wasmBinary })
 */
export async function createWasmQrDecoder(overrides: WasmSource): Promise<QrDecoder> {
  const { BarcodeDetector, prepareZXingModule } = await import('barcode-detector/ponyfill')
  prepareZXingModule({ overrides })
  return wrap(new BarcodeDetector({ formats: ['qr_code'] }), 'wasm')
}

async function loadBundledDecoder(): Promise<QrDecoder> {
  const { default: wasmUrl } = await import('zxing-wasm/reader/zxing_reader.wasm?url')
  return createWasmQrDecoder({ locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? wasmUrl : prefix + path) })
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

/**
 * How a frame is read: as the camera sees it, or enhanced (smoothed and contrast-stretched,
 * see `enhanceQrFrame`) for a code on a dim screen, in poor light or in a noisy picture.
 */
export type FrameVariant = 'as-seen' | 'enhanced'

/** Every variant, in the order a single picture is tried. */
export const FRAME_VARIANTS: readonly FrameVariant[] = ['as-seen', 'enhanced']

/**
 * Reads the QR code in one variant of a source: undefined when there is none to read (that is
 * not an error). `pixelsOf` gives the source's pixels, for the enhanced variant.
 *
 * @example
 * const text = await readQrVariant(decoder, video, 'enhanced', pixelsOf)
 */
export async function readQrVariant(
  decoder: QrDecoder,
  source: QrSource,
  variant: FrameVariant,
  pixelsOf: (source: QrSource) => ImageData | Promise<ImageData>,
): Promise<string | undefined> {
  const [text] = await decoder.detect(variant === 'as-seen' ? source : enhanceQrFrame(await pixelsOf(source)))
  return text
}

/**
 * Reads the QR code in a single picture, trying every variant in turn; undefined when none
 * finds one.
 *
 * @example
 * const text = await readQrPicture(decoder, file, pixelsOf)
 */
export async function readQrPicture(
  decoder: QrDecoder,
  source: QrSource,
  pixelsOf: (source: QrSource) => ImageData | Promise<ImageData>,
): Promise<string | undefined> {
  for (const variant of FRAME_VARIANTS) {
    const text = await readQrVariant(decoder, source, variant, pixelsOf)
    if (text !== undefined) return text
  }
  return undefined
}
