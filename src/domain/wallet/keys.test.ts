import { describe, expect, it } from 'vitest'
import { mnemonicToSeedSync } from '@scure/bip39'
import { HDKey, hdKeyToAccount } from 'viem/accounts'
import { bip39Seed, deriveAppKey, deriveWalletKeys, GRANT_KEYS_PATH, MAX_GRANT_INDEX } from './keys.ts'
import { parseRecoveryPhrase } from './mnemonic.ts'

const known = parseRecoveryPhrase('test test test test test test test test test test test junk')

describe('wallet keys', () => {
  it('derives the standard first account of a known phrase', async () => {
    const { account } = await deriveWalletKeys(known)
    expect(account.address).toBe('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266')
  })

  it('computes the same BIP-39 seed as the reference implementation', async () => {
    expect(await bip39Seed(known)).toEqual(new Uint8Array(mnemonicToSeedSync(known)))
  })

  it('derives the same app key from the same phrase, and a different one for another label', async () => {
    const first = await deriveWalletKeys(known)
    const second = await deriveWalletKeys(known)
    const iv = new Uint8Array(12)
    const plaintext = new TextEncoder().encode('hello')
    const keyA = await deriveAppKey(first.root, 'records/v1', ['encrypt', 'decrypt'])
    const keyA2 = await deriveAppKey(second.root, 'records/v1', ['encrypt', 'decrypt'])
    const keyB = await deriveAppKey(first.root, 'backup/v1', ['encrypt', 'decrypt'])
    const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, keyA, plaintext)
    expect(new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, keyA2, sealed))).toEqual(plaintext)
    await expect(crypto.subtle.decrypt({ name: 'AES-GCM', iv }, keyB, sealed)).rejects.toThrow()
  })

  it("derives grant keys at the documented path, one fresh address per index", async () => {
    const keys = await deriveWalletKeys(known)
    const master = HDKey.fromMasterSeed(mnemonicToSeedSync(known))
    for (const index of [0, 1, 7]) {
      const expected = hdKeyToAccount(master, { path: `${GRANT_KEYS_PATH}/${index}'` }).address
      expect(keys.grantAccount(index).address).toBe(expected)
    }
    const addresses = new Set([0, 1, 2, 3].map((i) => keys.grantAccount(i).address))
    expect(addresses.size).toBe(4)
    expect(addresses.has(keys.account.address)).toBe(false)
    // The same phrase gives the same grant keys on another device.
    expect((await deriveWalletKeys(known)).grantAccount(3).address).toBe(keys.grantAccount(3).address)
  })

  it('refuses a grant key index outside the hardened range', async () => {
    const keys = await deriveWalletKeys(known)
    expect(() => keys.grantAccount(-1)).toThrow(RangeError)
    expect(() => keys.grantAccount(1.5)).toThrow(RangeError)
    expect(() => keys.grantAccount(MAX_GRANT_INDEX + 1)).toThrow(RangeError)
  })

  it('keeps the root key material non-extractable', async () => {
    const { root } = await deriveWalletKeys(known)
    expect(root.extractable).toBe(false)
    await expect(crypto.subtle.exportKey('raw', root)).rejects.toThrow()
  })
})
