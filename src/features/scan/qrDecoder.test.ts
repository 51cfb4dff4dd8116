import { beforeAll, describe, expect, it, vi } from 'vitest'
import { nodeQrDecoder, qrFrame, sampleShortConsentLink, toImageData } from '../../../scripts/lib/qrFrames.ts'
import { chooseQrDecoder, loadQrDecoder, QrDecoderUnavailableError, type BarcodeDetectorClass, type QrDecoder, type QrSource } from './qrDecoder.ts'

const LINK = sampleShortConsentLink()
const NATIVE_TEXT = 'shlink:/read-by-the-platform'

/** A stand-in for a browser's BarcodeDetector: lists `formats`, and answers `detect` as told. */
function fakeNative(formats: readonly string[] | (() => Promise<readonly string[]>) | undefined, detect: (source: QrSource) => Promise<{ rawValue: string }[]>) {
  const seen: { options: { formats: string[] }[]; detected: QrSource[] } = { options: [], detected: [] }
  const Native = class {
    constructor(options: { formats: string[] }) {
      seen.options.push(options)
    }
    async detect(source: QrSource) {
      seen.detected.push(source)
      return detect(source)
    }
  } as BarcodeDetectorClass
  if (formats !== undefined) Native.getSupportedFormats = typeof formats === 'function' ? formats : async () => formats
  return { Native, seen }
}

let wasm: QrDecoder
let frame: ImageData
beforeAll(async () => {
  wasm = await nodeQrDecoder()
  frame = toImageData(qrFrame(LINK, { width: 320, height: 240, moduleSize: 2 }))
}, 60_000)

describe('chooseQrDecoder', () => {
  it('uses the browser’s BarcodeDetector when it reads QR codes, asking it for QR codes only', async () => {
    const { Native, seen } = fakeNative(['ean_13', 'qr_code'], async () => [{ rawValue: NATIVE_TEXT }])
    const loadWasm = vi.fn(async () => wasm)
    const decoder = await chooseQrDecoder(Native, loadWasm)
    expect(decoder.engine).toBe('native')
    expect(await decoder.detect(frame)).toEqual([NATIVE_TEXT])
    expect(seen.options).toEqual([{ formats: ['qr_code'] }])
    expect(seen.detected).toEqual([frame])
    expect(loadWasm).not.toHaveBeenCalled()
  })

  it.each([
    ['there is no BarcodeDetector', undefined],
    ['its formats lack qr_code', fakeNative(['ean_13', 'code_128'], async () => []).Native],
    ['it cannot list its formats', fakeNative(undefined, async () => []).Native],
    ['listing its formats fails', fakeNative(() => Promise.reject(new DOMException('Barcode detection service unavailable.', 'NotSupportedError')), async () => []).Native],
  ])('uses the bundled WebAssembly decoder when %s', async (_case, native) => {
    const decoder = await chooseQrDecoder(native, async () => wasm)
    expect(decoder.engine).toBe('wasm')
    expect(await decoder.detect(frame)).toEqual([LINK])
  })

  it('hands over to the WebAssembly decoder, for good, when the native one fails to detect', async () => {
    const { Native, seen } = fakeNative(['qr_code'], () => Promise.reject(new DOMException('Barcode detection service unavailable.', 'NotSupportedError')))
    const loadWasm = vi.fn(async () => wasm)
    const decoder = await chooseQrDecoder(Native, loadWasm)
    expect(decoder.engine).toBe('native')
    expect(await decoder.detect(frame)).toEqual([LINK])
    expect(decoder.engine).toBe('wasm')
    expect(await decoder.detect(frame)).toEqual([LINK])
    expect(seen.detected).toHaveLength(1)
    expect(loadWasm).toHaveBeenCalledTimes(1)
  })

  it('says the browser cannot read QR codes when neither works, and tries the WebAssembly decoder again next time', async () => {
    const { Native } = fakeNative(['qr_code'], () => Promise.reject(new Error('no service')))
    const loadWasm = vi.fn().mockRejectedValueOnce(new Error('the .wasm did not load')).mockResolvedValueOnce(wasm)
    const decoder = await chooseQrDecoder(Native, loadWasm)
    await expect(decoder.detect(frame)).rejects.toBeInstanceOf(QrDecoderUnavailableError)
    expect(await decoder.detect(frame)).toEqual([LINK])
    expect(loadWasm).toHaveBeenCalledTimes(2)
  })
})

describe('loadQrDecoder', () => {
  it('picks up the BarcodeDetector the browser has', async () => {
    const { Native, seen } = fakeNative(['qr_code'], async () => [{ rawValue: NATIVE_TEXT }])
    vi.stubGlobal('BarcodeDetector', Native)
    try {
      const decoder = await loadQrDecoder()
      expect(decoder.engine).toBe('native')
      expect(await decoder.detect(frame)).toEqual([NATIVE_TEXT])
      expect(seen.detected).toEqual([frame])
      // One decoder per page: the detector is made once.
      expect(await loadQrDecoder()).toBe(decoder)
    } finally {
      vi.unstubAllGlobals()
    }
  })
})
