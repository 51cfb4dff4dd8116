import { describe, expect, it } from 'vitest'
import { utf8 } from './bytes.ts'
import { createDataKey, IntegrityError, open, seal } from './envelope.ts'
import {
  openPadded,
  PADDING_MIN_BYTES,
  PADDING_POWER_OF_TWO_UP_TO,
  paddedLength,
  paddedRange,
  PaddingError,
  padPlaintext,
  sealPadded,
  unpadPlaintext,
} from './padding.ts'

/** Content lengths worth checking: every edge of the schemes and a spread of others. */
const lengths = [
  ...Array.from({ length: 2200 }, (_, i) => i),
  ...[1020, 1021, 2044, 2045, 65_532, 65_533, 65_534, 100_000, 1_048_576, 3_000_000, 25_000_000, 50_000_000, 100_000_000],
  ...Array.from({ length: 400 }, (_, i) => Math.floor(1.07 ** i) + i),
].filter((n) => n <= 200_000_000)

describe('size buckets', () => {
  it('never shrink, never go below 1 KiB, and grow with the content', () => {
    const sorted = [...new Set(lengths)].sort((a, b) => a - b)
    let previous = 0
    for (const n of sorted) {
      const bucket = paddedLength(n)
      expect(bucket).toBeGreaterThanOrEqual(Math.max(n + 4, PADDING_MIN_BYTES))
      expect(bucket).toBeGreaterThanOrEqual(previous)
      previous = bucket
    }
  })

  it('put every content of up to 1020 bytes in one bucket, then powers of two up to 64 KiB', () => {
    expect(new Set(Array.from({ length: 1021 }, (_, n) => paddedLength(n)))).toEqual(new Set([1024]))
    expect(paddedLength(1021)).toBe(2048)
    expect(paddedLength(2044)).toBe(2048)
    expect(paddedLength(2045)).toBe(4096)
    expect(paddedLength(PADDING_POWER_OF_TWO_UP_TO - 4)).toBe(PADDING_POWER_OF_TWO_UP_TO)
    for (const n of lengths.filter((n) => n + 4 <= PADDING_POWER_OF_TWO_UP_TO)) {
      expect(Math.log2(paddedLength(n)) % 1).toBe(0)
    }
  })

  it('cost at most 12 % above 64 KiB (Padmé), with few distinct sizes', () => {
    for (const n of lengths.filter((n) => n + 4 > PADDING_POWER_OF_TWO_UP_TO)) {
      expect((paddedLength(n) - n) / n).toBeLessThanOrEqual(0.12)
    }
    expect(paddedLength(PADDING_POWER_OF_TWO_UP_TO - 3)).toBe(67_584)
    expect(paddedLength(3_000_000)).toBe(3_014_656)
    // Every size of a 2–4 MiB file falls in one of 32 buckets (Padmé keeps 5 significant bits here).
    const buckets = new Set(Array.from({ length: 2097 }, (_, i) => paddedLength(2 ** 21 + i * 1000)))
    expect(buckets.size).toBeLessThanOrEqual(32)
  })

  it('are fixed points: the content that fills a bucket exactly stays in it', () => {
    for (const n of lengths) {
      const bucket = paddedLength(n)
      expect(paddedLength(bucket - 4)).toBe(bucket)
    }
  })

  it('refuse lengths no prefix can hold', () => {
    expect(() => paddedLength(-1)).toThrow(RangeError)
    expect(() => paddedLength(2 ** 32)).toThrow(RangeError)
    expect(() => paddedLength(1.5)).toThrow(RangeError)
  })
})

describe('padding and unpadding', () => {
  it('round-trip any content, and a range of the padded form equals that part of the whole', () => {
    for (const n of [0, 1, 1020, 1021, 5000, 70_000]) {
      const content = Uint8Array.from({ length: n }, (_, i) => (i * 7 + 1) % 251)
      const padded = padPlaintext(content)
      expect(padded.length).toBe(paddedLength(n))
      expect(unpadPlaintext(padded)).toEqual(content)
      expect(paddedRange(content, 3, Math.min(padded.length, 3000))).toEqual(padded.slice(3, 3000))
    }
  })

  it('refuse padding that is not exactly what CareKey writes', () => {
    const padded = padPlaintext(utf8.encode('{"resourceType":"Observation"}'))
    const withByte = (at: number, value: number) => {
      const copy = padded.slice()
      copy[at] = value
      return copy
    }
    // A non-zero padding byte.
    expect(() => unpadPlaintext(withByte(padded.length - 1, 1))).toThrow(PaddingError)
    // A length prefix longer than the bytes, or one that belongs in another bucket.
    expect(() => unpadPlaintext(withByte(0, 0xff))).toThrow(PaddingError)
    const inOtherBucket = padded.slice()
    new DataView(inOtherBucket.buffer).setUint32(0, 1021)
    expect(() => unpadPlaintext(inOtherBucket)).toThrow(PaddingError)
    // Cut short or grown: no longer a bucket's size.
    expect(() => unpadPlaintext(padded.subarray(0, padded.length - 1))).toThrow(PaddingError)
    expect(() => unpadPlaintext(new Uint8Array([...padded, 0]))).toThrow(PaddingError)
    expect(() => unpadPlaintext(new Uint8Array())).toThrow(PaddingError)
    expect(new PaddingError()).toBeInstanceOf(IntegrityError)
  })

  it('make the ciphertexts of different contents in one bucket the same length, and open only with the same associated data', async () => {
    const key = await createDataKey()
    const short = await sealPadded(key, utf8.encode('Peanut'), 'a')
    const long = await sealPadded(key, crypto.getRandomValues(new Uint8Array(900)), 'a')
    expect(short.ciphertext.length).toBe(long.ciphertext.length)
    expect(utf8.decode(await openPadded(key, short, 'a'))).toBe('Peanut')
    await expect(openPadded(key, short, 'b')).rejects.toBeInstanceOf(IntegrityError)
    // Authentic bytes that were never padded are refused as such, not returned.
    const unpadded = await seal(key, utf8.encode('Peanut'), 'a')
    await expect(openPadded(key, unpadded, 'a')).rejects.toBeInstanceOf(PaddingError)
    expect(utf8.decode(await open(key, unpadded, 'a'))).toBe('Peanut')
  })
})
