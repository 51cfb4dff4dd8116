import { QrDecoderUnavailableError, type QrSource } from './qrDecoder.ts'

/** Longest side of a picture read in pixels: a phone photo is scaled down, a camera frame is not. */
const MAX_SIDE = 1920

let canvas: HTMLCanvasElement | undefined

/**
 * The pixels of a camera frame, a picture or a canvas, for the enhanced reading of a QR code
 * (see `enhanceQrFrame`). Pictures larger than 1920 pixels on a side are scaled down.
 *
 * @example
 * const pixels = await pixelsOf(videoElement)
 */
export async function pixelsOf(source: QrSource): Promise<ImageData> {
  if (source instanceof ImageData) return source
  if (source instanceof Blob) {
    const bitmap = await createImageBitmap(source)
    try {
      return draw(bitmap, bitmap.width, bitmap.height)
    } finally {
      bitmap.close()
    }
  }
  if (source instanceof HTMLVideoElement) return draw(source, source.videoWidth, source.videoHeight)
  if (source instanceof HTMLImageElement) return draw(source, source.naturalWidth, source.naturalHeight)
  return draw(source, source.width, source.height)
}

function draw(image: CanvasImageSource, width: number, height: number): ImageData {
  const scale = Math.min(1, MAX_SIDE / Math.max(width, height, 1))
  const w = Math.max(1, Math.round(width * scale))
  const h = Math.max(1, Math.round(height * scale))
  // One canvas, reused for every frame: the camera is read several times a second.
  canvas ??= document.createElement('canvas')
  if (canvas.width !== w || canvas.height !== h) Object.assign(canvas, { width: w, height: h })
  const context = canvas.getContext('2d', { willReadFrequently: true })
  if (!context) throw new QrDecoderUnavailableError()
  context.drawImage(image, 0, 0, w, h)
  return context.getImageData(0, 0, w, h)
}
