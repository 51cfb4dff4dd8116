import { describe, expect, it } from 'vitest'
import { utf8 } from './bytes.ts'
import { createDataKey, IntegrityError, KeyUnwrapError, open, seal, unwrapDataKey, wrapDataKey, WRAPPED_KEY_BYTES } from './envelope.ts'

const wrappingKey = () => crypto.subtle.generateKey({ name: 'AES-KW', length: 256 }, false, ['wrapKey', 'unwrapKey'])

describe('envelope encryption', () => {
  it('encrypts with a data key that only the wrapping key can unwrap', async () => {
    const kek = await wrappingKey()
    const dataKey = await createDataKey()
    const wrapped = await wrapDataKey(dataKey, kek)
    expect(wrapped).toHaveLength(WRAPPED_KEY_BYTES)
    const sealed = await seal(dataKey, utf8.encode('Peanut allergy'), 'record:1')
    expect(new TextDecoder().decode(sealed.ciphertext)).not.toContain('Peanut')

    const unwrapped = await unwrapDataKey(wrapped, kek)
    expect(utf8.decode(await open(unwrapped, sealed, 'record:1'))).toBe('Peanut allergy')
  })

  it('gives every item its own key and IV', async () => {
    const [a, b] = [await createDataKey(), await createDataKey()]
    const kek = await wrappingKey()
    expect(await wrapDataKey(a, kek)).not.toEqual(await wrapDataKey(b, kek))
    const s1 = await seal(a, utf8.encode('same'), 'x')
    const s2 = await seal(a, utf8.encode('same'), 'x')
    expect(s1.iv).not.toEqual(s2.iv)
    expect(s1.ciphertext).not.toEqual(s2.ciphertext)
  })

  it('refuses to unwrap under another wallet’s key', async () => {
    const wrapped = await wrapDataKey(await createDataKey(), await wrappingKey())
    await expect(unwrapDataKey(wrapped, await wrappingKey())).rejects.toBeInstanceOf(KeyUnwrapError)
  })

  it('refuses changed ciphertext and ciphertext moved to another item', async () => {
    const key = await createDataKey()
    const sealed = await seal(key, utf8.encode('HbA1c 5.6 %'), 'record:1')
    const flipped = sealed.ciphertext.slice()
    flipped[0] = (flipped[0] ?? 0) ^ 1
    await expect(open(key, { iv: sealed.iv, ciphertext: flipped }, 'record:1')).rejects.toBeInstanceOf(IntegrityError)
    await expect(open(key, sealed, 'record:2')).rejects.toBeInstanceOf(IntegrityError)
  })
})
