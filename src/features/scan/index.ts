/**
 * Reading QR codes: with the camera (BarcodeDetector where the browser has it, else the bundled
 * ZXing WebAssembly decoder) or from a picture. Loaded lazily: the decoder is only fetched when
 * a screen that scans opens.
 */
import { createElement, lazy, Suspense, type ComponentProps } from 'react'
import { QrScannerPlaceholder } from './QrScannerFrame.tsx'

const LazyQrScanner = lazy(() => import('./QrScanner.tsx').then((m) => ({ default: m.QrScanner })))

/**
 * The scanner, loaded when first shown; until then a placeholder of the same size holds its
 * place, so nothing below it moves.
 */
export function QrScanner(props: ComponentProps<typeof LazyQrScanner>) {
  return createElement(Suspense, { fallback: createElement(QrScannerPlaceholder) }, createElement(LazyQrScanner, props))
}
export { loadQrDecoder, QrDecoderUnavailableError, type QrDecoder } from './qrDecoder.ts'
