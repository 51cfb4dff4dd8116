import { describe, expect, it } from 'vitest'
import {
  openVault,
  parseStoredVault,
  RECOMMENDED_KDF_ITERATIONS,
  resealVault,
  sealVault,
  VaultDamagedError,
  vaultNeedsUpgrade,
  WeakPassphraseError,
  WrongPassphraseError,
  type EncryptedVault,
} from './vault.ts'

const phrase = 'test test test test test test test test test test test junk'
// Tests use fewer iterations than production so they stay fast; one test checks the default.
const fast = { iterations: 20_000 }

const flipByte = (bytes: Uint8Array, index: number) => {
  const copy = bytes.slice()
  copy[index] = (copy[index] ?? 0) ^ 0x01
  return copy
}

describe('vault', () => {
  it('round-trips the phrase under the right passphrase', async () => {
    const vault = await sealVault(phrase, 'correct horse battery', fast)
    expect(await openVault(vault, 'correct horse battery')).toBe(phrase)
  })

  it('stores no plaintext: neither the phrase nor any of its words appear in the sealed bytes', async () => {
    const vault = await sealVault(phrase, 'correct horse battery', fast)
    const stored = new TextDecoder('latin1').decode(vault.ciphertext)
    expect(stored).not.toContain('test')
    expect(stored).not.toContain('junk')
  })

  it('uses the recommended KDF cost and a fresh salt and IV by default', async () => {
    const a = await sealVault(phrase, 'correct horse battery')
    const b = await sealVault(phrase, 'correct horse battery', fast)
    expect(a.kdf).toMatchObject({ name: 'PBKDF2-SHA256', iterations: RECOMMENDED_KDF_ITERATIONS })
    expect(RECOMMENDED_KDF_ITERATIONS).toBeGreaterThanOrEqual(600_000)
    expect(a.kdf.salt).not.toEqual(b.kdf.salt)
    expect(a.iv).not.toEqual(b.iv)
  })

  it('refuses a wrong passphrase with WrongPassphraseError', async () => {
    const vault = await sealVault(phrase, 'correct horse battery', fast)
    await expect(openVault(vault, 'correct horse batterY')).rejects.toBeInstanceOf(WrongPassphraseError)
  })

  it('refuses a passphrase shorter than the minimum', async () => {
    await expect(sealVault(phrase, 'short', fast)).rejects.toBeInstanceOf(WeakPassphraseError)
  })

  it('refuses a vault whose ciphertext was changed', async () => {
    const vault = await sealVault(phrase, 'correct horse battery', fast)
    const tampered = { ...vault, ciphertext: flipByte(vault.ciphertext, 3) }
    await expect(openVault(tampered, 'correct horse battery')).rejects.toBeInstanceOf(VaultDamagedError)
  })

  it('refuses a vault whose KDF parameters were lowered (they are authenticated)', async () => {
    const vault = await sealVault(phrase, 'correct horse battery', fast)
    const lowered: EncryptedVault = { ...vault, kdf: { ...vault.kdf, iterations: 10_000 } }
    // Different iterations derive a different key, so the check fails first: never silently accepted.
    await expect(openVault(lowered, 'correct horse battery')).rejects.toBeInstanceOf(WrongPassphraseError)
  })

  it('refuses a truncated vault when it is read from storage', async () => {
    const vault = await sealVault(phrase, 'correct horse battery', fast)
    expect(() => parseStoredVault({ ...vault, ciphertext: vault.ciphertext.slice(0, 10) })).toThrow(VaultDamagedError)
    expect(() => parseStoredVault({ ...vault, iv: vault.iv.slice(0, 8) })).toThrow(VaultDamagedError)
    expect(() => parseStoredVault({ ...vault, kdf: { ...vault.kdf, iterations: 1 } })).toThrow(VaultDamagedError)
    expect(() => parseStoredVault('not a vault')).toThrow(VaultDamagedError)
    expect(() => parseStoredVault({ ...vault, format: 99 })).toThrow(VaultDamagedError)
  })

  it('accepts an intact vault read back from storage', async () => {
    const vault = await sealVault(phrase, 'correct horse battery', fast)
    const parsed = parseStoredVault(structuredClone(vault))
    expect(await openVault(parsed, 'correct horse battery')).toBe(phrase)
  })

  it('upgrades a vault sealed with weaker KDF parameters, keeping its creation time', async () => {
    const old = await sealVault(phrase, 'correct horse battery', { iterations: 20_000, now: 1_000 })
    expect(vaultNeedsUpgrade(old)).toBe(true)
    const upgraded = await resealVault(old, 'correct horse battery', 'correct horse battery')
    expect(upgraded.kdf.iterations).toBe(RECOMMENDED_KDF_ITERATIONS)
    expect(vaultNeedsUpgrade(upgraded)).toBe(false)
    expect(upgraded.createdAt).toBe(1_000)
    expect(await openVault(upgraded, 'correct horse battery')).toBe(phrase)
  })

  it('changes the passphrase: the new one opens it, the old one no longer does', async () => {
    const vault = await sealVault(phrase, 'correct horse battery', fast)
    const changed = await resealVault(vault, 'correct horse battery', 'a brand new passphrase', fast)
    expect(await openVault(changed, 'a brand new passphrase')).toBe(phrase)
    await expect(openVault(changed, 'correct horse battery')).rejects.toBeInstanceOf(WrongPassphraseError)
  })

  it('will not change the passphrase without the current one', async () => {
    const vault = await sealVault(phrase, 'correct horse battery', fast)
    await expect(resealVault(vault, 'wrong passphrase', 'a brand new passphrase', fast)).rejects.toBeInstanceOf(WrongPassphraseError)
  })
})
