/**
 * Reading QR codes: with the camera (BarcodeDetector where the browser has it, else the bundled
 * ZXing WebAssembly decoder) or from a picture. Loaded lazily: the decoder is only fetched when
 * a screen that scans opens.
 */
import { lazy } from 'react'

export const QrScanner = lazy(() => import('./QrScanner.tsx').then((m) => ({ default: m.QrScanner })))
export { loadQrDecoder, QrDecoderUnavailableError, type QrDecoder } from './qrDecoder.ts'
