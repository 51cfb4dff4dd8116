import { beforeAll, describe, expect, it } from 'vitest'
import { nodeQrDecoder, qrFrame, toImageData } from '../../../scripts/lib/qrFrames.ts'
import { enhanceQrFrame } from './frameEnhance.ts'

const gray = (frame: ImageData) => Array.from({ length: frame.width * frame.height }, (_, i) => frame.data[i * 4] ?? -1)

beforeAll(async () => {
  // Provides ImageData in Node.
  await nodeQrDecoder()
}, 60_000)

describe('enhanceQrFrame', () => {
  it('stretches a low-contrast code to black and white, and leaves the frame it was given as it was', () => {
    const input = toImageData(qrFrame('CareKey', { width: 120, height: 90, contrast: { dark: 128, light: 143 } }))
    const before = Buffer.from(input.data)
    const output = enhanceQrFrame(input)
    expect(before.equals(Buffer.from(input.data))).toBe(true)
    expect([output.width, output.height]).toEqual([120, 90])
    const levels = gray(output)
    expect(new Set(gray(input))).toEqual(new Set([128, 143]))
    expect(Math.min(...levels)).toBe(0)
    expect(Math.max(...levels)).toBe(255)
    // Gray in every channel, opaque.
    for (let i = 0; i < levels.length; i += 97) {
      expect([output.data[i * 4 + 1], output.data[i * 4 + 2], output.data[i * 4 + 3]]).toEqual([levels[i], levels[i], 255])
    }
  })

  it('smooths out single-pixel noise', () => {
    const data = new Uint8ClampedArray(9 * 9 * 4).fill(255)
    // One dark pixel in a light patch with a dark border, so the stretch keeps its range.
    for (let i = 0; i < 81; i++) if (i < 9 || i === 40) data.set([0, 0, 0], i * 4)
    const levels = gray(enhanceQrFrame(new ImageData(data, 9, 9)))
    // The lone pixel is averaged with its eight light neighbours: far lighter than black.
    expect(levels[40]).toBeGreaterThan(150)
  })

  it('leaves a frame of one gray as it is', () => {
    const data = new Uint8ClampedArray(8 * 8 * 4).fill(90)
    expect(new Set(gray(enhanceQrFrame(new ImageData(data, 8, 8))))).toEqual(new Set([90]))
  })
})
