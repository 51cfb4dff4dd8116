import { create } from 'qrcode'
import { beforeAll, describe, expect, it } from 'vitest'
import { HOPELESS_FRAMES, PHONE_CAMERA_FRAMES, nodeQrDecoder, qrFrame, sampleConsentLink, sampleShortConsentLink, toImageData } from '../../../scripts/lib/qrFrames.ts'
import { readQrPicture, readQrVariant, type QrDecoder } from './qrDecoder.ts'

/**
 * The scanner's decoding on frames a phone camera gives: drawn in code (perspective, lighting,
 * glare, blur, noise; see scripts/lib/qrFrames.ts) and read with the app's own WebAssembly
 * decoder and frame variants, in Node. The browser path is in e2e/scan.spec.ts.
 */
const LINK = sampleConsentLink()
const samePixels = (source: unknown) => {
  if (!(source instanceof ImageData)) throw new TypeError('these tests read pixels only')
  return source
}
// Drawing and decoding a frame takes a few hundred milliseconds, more on a busy machine.
const SLOW = 60_000

let decoder: QrDecoder
beforeAll(async () => {
  decoder = await nodeQrDecoder()
}, SLOW)

describe('the scanner reads a consent QR code from a phone camera', () => {
  it.each(Object.entries(PHONE_CAMERA_FRAMES))('%s', async (_name, options) => {
    expect(await readQrPicture(decoder, toImageData(qrFrame(LINK, options)), samePixels)).toBe(LINK)
  }, SLOW)

  it('reads a dim, noisy code only once the frame is enhanced: as seen, the decoder finds nothing', async () => {
    // If a newer decoder reads this as seen, the enhancement may no longer be needed: see the bench (scan.degraded_*).
    const frame = toImageData(qrFrame(LINK, PHONE_CAMERA_FRAMES['low contrast and sensor noise']))
    expect(await readQrVariant(decoder, frame, 'as-seen', samePixels)).toBeUndefined()
    expect(await readQrVariant(decoder, frame, 'enhanced', samePixels)).toBe(LINK)
  }, SLOW)
})

/** Glare beats today's smaller code in these two frames (a glare spot over the same share of it); the bench's scan.degraded_read_pct counts them. */
const GLARE_BEATS_TODAYS_CODE = ['a glare spot over 7% of the code', 'all at once, at 1280×720']

describe('the scanner reads today’s consent QR code (the grant at the share host, version 11) from a phone camera', () => {
  const today = sampleShortConsentLink()
  it.each(Object.entries(PHONE_CAMERA_FRAMES).filter(([name]) => !GLARE_BEATS_TODAYS_CODE.includes(name)))('%s', async (_name, options) => {
    expect(await readQrPicture(decoder, toImageData(qrFrame(today, options)), samePixels)).toBe(today)
  }, SLOW)

  it('reads the dim, noisy code once the frame is enhanced', async () => {
    const frame = toImageData(qrFrame(today, PHONE_CAMERA_FRAMES['low contrast and sensor noise']))
    expect(await readQrVariant(decoder, frame, 'as-seen', samePixels)).toBeUndefined()
    expect(await readQrVariant(decoder, frame, 'enhanced', samePixels)).toBe(today)
  }, SLOW)
})

describe('today’s short consent link (version 11) against the long one that carried its grant (version 22)', () => {
  it('is read at a size in the frame where the long one is not: 150 pixels wide, as seen, askew or a little out of focus', async () => {
    // The same code on the same phone screen, seen from the same distance: 150 pixels for the
    // whole code and its quiet zone. If a newer decoder reads the long one, this no longer shows the gain.
    const short = sampleShortConsentLink()
    const side = (link: string) => create(link, { errorCorrectionLevel: 'M' }).modules.size
    expect([side(short), side(LINK)]).toEqual([61, 105])
    for (const condition of [{}, { tilt: { roll: 4 } }, { blur: 0.8 }]) {
      // A quiet zone of 4 modules on each side.
      const seen = (link: string) => toImageData(qrFrame(link, { moduleSize: 150 / (side(link) + 8), ...condition }))
      expect(await readQrPicture(decoder, seen(short), samePixels)).toBe(short)
      expect(await readQrPicture(decoder, seen(LINK), samePixels)).toBeUndefined()
    }
  }, SLOW)
})

describe('a frame in which no code can be read is "no code found", not an error', () => {
  it.each(Object.entries(HOPELESS_FRAMES))('%s', async (_name, options) => {
    await expect(readQrPicture(decoder, toImageData(qrFrame(LINK, options)), samePixels)).resolves.toBeUndefined()
  }, SLOW)

  it('a blank frame and a frame of pure noise', async () => {
    const blank = { width: 64, height: 48, data: new Uint8ClampedArray(64 * 48).fill(200) }
    const noise = { width: 64, height: 48, data: new Uint8ClampedArray(64 * 48).map((_, i) => (i * 7919) % 251) }
    await expect(readQrPicture(decoder, toImageData(blank), samePixels)).resolves.toBeUndefined()
    await expect(readQrPicture(decoder, toImageData(noise), samePixels)).resolves.toBeUndefined()
  }, SLOW)
})
