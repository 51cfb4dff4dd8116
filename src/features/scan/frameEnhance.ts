/**
 * Enhancing a camera frame before a second reading: what rescues a code on a dim screen, in
 * a dark room or through a cheap camera's noise, where the decoder's own binarizer gives up
 * (it treats any patch whose brightness varies by less than 24 levels as blank).
 */

/** Share of the darkest and of the lightest pixels let go when the contrast is stretched. */
const CLIP = 0.01

/**
 * The frame in gray, smoothed over 3×3 pixels (sensor noise averages out, modules of 2 pixels
 * and more survive) and stretched so that its darkest percent is black and its lightest is
 * white. Returns a new frame; the input is left as it was.
 *
 * @example
 * const [text] = await decoder.detect(enhanceQrFrame(context.getImageData(0, 0, w, h)))
 */
export function enhanceQrFrame(frame: ImageData): ImageData {
  const { width, height, data } = frame
  const count = width * height
  const gray = new Uint8Array(count)
  for (let i = 0, p = 0; i < count; i++, p += 4) gray[i] = (306 * data[p]! + 601 * data[p + 1]! + 117 * data[p + 2]! + 512) >> 10

  // A 3×3 box blur in two passes (rows, then columns), borders clamped; a sum of nine fits 16 bits.
  const rows = new Uint16Array(count)
  for (let y = 0; y < height; y++) {
    const row = y * width
    const last = row + width - 1
    if (width === 1) {
      rows[row] = 3 * gray[row]!
      continue
    }
    rows[row] = 2 * gray[row]! + gray[row + 1]!
    for (let i = row + 1; i < last; i++) rows[i] = gray[i - 1]! + gray[i]! + gray[i + 1]!
    rows[last] = gray[last - 1]! + 2 * gray[last]!
  }
  const smooth = new Uint8Array(count)
  const histogram = new Uint32Array(256)
  for (let y = 0; y < height; y++) {
    const above = Math.max(0, y - 1) * width
    const below = Math.min(height - 1, y + 1) * width
    const row = y * width
    for (let x = 0; x < width; x++) {
      // (sum + 4.5) / 9 in fixed point: 7282 / 65536 is 1/9 to five digits.
      const value = ((rows[above + x]! + rows[row + x]! + rows[below + x]!) * 7282 + 32768) >> 16
      smooth[row + x] = value
      histogram[value]!++
    }
  }

  const [low, high] = percentiles(histogram, count)
  const scale = 255 / Math.max(1, high - low)
  // Opaque gray pixels as 32-bit words, R first in memory on the little-endian CPUs browsers run on.
  const curve = new Uint32Array(256)
  for (let v = 0; v < 256; v++) {
    const level = Math.min(255, Math.max(0, Math.round((v - low) * scale)))
    curve[v] = ((255 << 24) | (level << 16) | (level << 8) | level) >>> 0
  }
  const out = new Uint8ClampedArray(count * 4)
  const words = new Uint32Array(out.buffer)
  for (let i = 0; i < count; i++) words[i] = curve[smooth[i]!]!
  return new ImageData(out, width, height)
}

/** The gray levels below which, and above which, lie CLIP of the pixels. */
function percentiles(histogram: Uint32Array, count: number): [number, number] {
  const clip = count * CLIP
  let low = 0
  for (let seen = 0; low < 255; low++) {
    seen += histogram[low] ?? 0
    if (seen > clip) break
  }
  let high = 255
  for (let seen = 0; high > 0; high--) {
    seen += histogram[high] ?? 0
    if (seen > clip) break
  }
  return high > low ? [low, high] : [0, 255]
}
