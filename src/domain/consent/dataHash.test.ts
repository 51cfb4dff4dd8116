import { describe, expect, it } from 'vitest'
import { sharedDataHash } from './dataHash.ts'

describe('sharedDataHash', () => {
  it('is the SHA-256 of the exact bytes, as 32-byte hex', async () => {
    expect(await sharedDataHash(new TextEncoder().encode('abc'))).toBe('0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })

  it('changes when a single byte changes', async () => {
    const a = new TextEncoder().encode('{"resourceType":"Bundle"}')
    const b = a.slice()
    b[2] = (b[2] ?? 0) ^ 1
    expect(await sharedDataHash(a)).not.toBe(await sharedDataHash(b))
  })
})
