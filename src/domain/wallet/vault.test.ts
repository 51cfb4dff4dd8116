import { argon2id as nobleArgon2id } from '@noble/hashes/argon2'
import { describe, expect, it } from 'vitest'
import { PBKDF2_VAULT_PASSPHRASE, PBKDF2_VAULT_PHRASE, pbkdf2VaultRecord } from '../../test/pbkdf2VaultFixture.ts'
import { utf8 } from '../crypto/bytes.ts'
import {
  ACCEPTED_ARGON2ID_COST,
  openVault,
  parseStoredVault,
  PBKDF2_VAULT_FORMAT,
  resealVault,
  sealVault,
  VAULT_FORMAT,
  VAULT_KDF_COST,
  VaultDamagedError,
  vaultNeedsUpgrade,
  WeakPassphraseError,
  WrongPassphraseError,
  type Argon2idVault,
} from './vault.ts'
import { deriveArgon2idBits } from './vaultKdf.ts'

const phrase = 'test test test test test test test test test test test junk'
const passphrase = 'violet tractor lagoon 47'
// Tests that are not about the cost seal cheaply so they stay fast; storage would refuse these
// vaults (see 'refuses KDF parameters out of bounds'), and the tests below pin the real cost.
const cheap = { cost: { memoryKiB: 64, passes: 1, parallelism: 1 } }

const flipByte = (bytes: Uint8Array, index: number) => {
  const copy = bytes.slice()
  copy[index] = (copy[index] ?? 0) ^ 0x01
  return copy
}

// A few tests derive at the production cost (64 MiB), a few hundred milliseconds each.
const REAL_KDF = { timeout: 30_000 }

describe('vault (Argon2id, format 2)', REAL_KDF, () => {
  it('round-trips the phrase under the right passphrase', async () => {
    const vault = await sealVault(phrase, passphrase, cheap)
    expect(await openVault(vault, passphrase)).toBe(phrase)
  })

  it('stores no plaintext: neither the phrase nor any of its words appear in the sealed bytes', async () => {
    const vault = await sealVault(phrase, passphrase, cheap)
    const stored = new TextDecoder('latin1').decode(vault.ciphertext)
    expect(stored).not.toContain('test')
    expect(stored).not.toContain('junk')
  })

  it('seals with Argon2id at 64 MiB, 3 passes, 1 lane and a fresh 16-byte salt and IV by default', async () => {
    expect(VAULT_KDF_COST).toEqual({ memoryKiB: 65_536, passes: 3, parallelism: 1 })
    const a = await sealVault(phrase, passphrase)
    const b = await sealVault(phrase, passphrase, cheap)
    expect(a.format).toBe(2)
    expect(a.kdf).toMatchObject({ name: 'Argon2id', memoryKiB: 65_536, passes: 3, parallelism: 1 })
    expect(a.kdf.salt).toHaveLength(16)
    expect(a.kdf.salt).not.toEqual(b.kdf.salt)
    expect(a.iv).not.toEqual(b.iv)
    // What storage gives back opens: the production cost is inside the accepted bounds.
    expect(await openVault(parseStoredVault(structuredClone(a)), passphrase)).toBe(phrase)
    expect(vaultNeedsUpgrade(a)).toBe(false)
  })

  it('derives the same bytes as an independent Argon2id implementation', async () => {
    const salt = utf8.encode('sixteen byte salt')
    const params = { name: 'Argon2id', memoryKiB: 256, passes: 3, parallelism: 2, salt } as const
    const ours = await deriveArgon2idBits('pässwörd', params)
    const noble = nobleArgon2id(utf8.encode('pässwörd'.normalize('NFKC')), salt, { m: 256, t: 3, p: 2, dkLen: 64 })
    expect(ours).toEqual(noble)
  })

  it('refuses a wrong passphrase with WrongPassphraseError', async () => {
    const vault = await sealVault(phrase, passphrase, cheap)
    await expect(openVault(vault, 'violet tractor lagoon 48')).rejects.toBeInstanceOf(WrongPassphraseError)
    await expect(openVault(vault, '')).rejects.toBeInstanceOf(WrongPassphraseError)
  })

  it('refuses a passphrase shorter than the minimum', async () => {
    await expect(sealVault(phrase, 'short', cheap)).rejects.toBeInstanceOf(WeakPassphraseError)
  })

  it('reports a changed ciphertext as damage', async () => {
    const vault = await sealVault(phrase, passphrase, cheap)
    const tampered = { ...vault, ciphertext: flipByte(vault.ciphertext, 3) }
    await expect(openVault(tampered, passphrase)).rejects.toBeInstanceOf(VaultDamagedError)
  })

  it('reports changed KDF parameters, salt, IV or check as damage, never as a wrong passphrase', async () => {
    const vault = await sealVault(phrase, passphrase, cheap)
    const changed: Argon2idVault[] = [
      { ...vault, kdf: { ...vault.kdf, memoryKiB: 32 } },
      { ...vault, kdf: { ...vault.kdf, passes: 2 } },
      { ...vault, kdf: { ...vault.kdf, parallelism: 2 } },
      { ...vault, kdf: { ...vault.kdf, salt: flipByte(vault.kdf.salt, 0) } },
      { ...vault, iv: flipByte(vault.iv, 11) },
      { ...vault, check: flipByte(vault.check, 5) },
      { ...vault, headerDigest: flipByte(vault.headerDigest, 0) },
    ]
    for (const tampered of changed) {
      await expect(openVault(tampered, passphrase)).rejects.toBeInstanceOf(VaultDamagedError)
    }
  })

  it('refuses KDF parameters out of bounds when read from storage: absurd ones and any weaker than the floor', async () => {
    const vault = await sealVault(phrase, passphrase, cheap)
    const { min, max } = ACCEPTED_ARGON2ID_COST
    expect(min).toEqual({ memoryKiB: 65_536, passes: 3, parallelism: 1 })
    expect(max).toEqual({ memoryKiB: 1_048_576, passes: 16, parallelism: 8 })
    const withKdf = (kdf: Record<string, unknown>) => ({ ...vault, kdf: { ...vault.kdf, ...min, ...kdf } })
    // Within bounds: accepted.
    expect(parseStoredVault(withKdf({})).kdf).toMatchObject(min)
    expect(parseStoredVault(withKdf(max)).kdf).toMatchObject(max)
    const refused = [
      { memoryKiB: 19_456 }, // OWASP's smallest Argon2id choice: below CareKey's floor
      { memoryKiB: min.memoryKiB - 1 },
      { passes: 2 },
      { parallelism: 0 },
      { memoryKiB: max.memoryKiB + 1 },
      { memoryKiB: 4 * 1024 * 1024 }, // 4 GiB: more than a tab can have
      { passes: max.passes + 1 },
      { passes: 1_000_000 },
      { parallelism: max.parallelism + 1 },
      { memoryKiB: 65_536.5 },
      { passes: '3' },
      { memoryKiB: undefined },
      { name: 'Argon2i' },
    ]
    for (const kdf of refused) expect(() => parseStoredVault(withKdf(kdf)), JSON.stringify(kdf)).toThrow(VaultDamagedError)
  })

  it('refuses a truncated or malformed vault when it is read from storage', async () => {
    const vault = await sealVault(phrase, passphrase, cheap)
    const inBounds = { ...vault, kdf: { ...vault.kdf, ...VAULT_KDF_COST } }
    expect(() => parseStoredVault(inBounds)).not.toThrow()
    expect(() => parseStoredVault({ ...inBounds, ciphertext: vault.ciphertext.slice(0, 10) })).toThrow(VaultDamagedError)
    expect(() => parseStoredVault({ ...inBounds, iv: vault.iv.slice(0, 8) })).toThrow(VaultDamagedError)
    expect(() => parseStoredVault({ ...inBounds, kdf: { ...inBounds.kdf, salt: vault.kdf.salt.slice(0, 8) } })).toThrow(VaultDamagedError)
    expect(() => parseStoredVault({ ...inBounds, headerDigest: undefined })).toThrow(VaultDamagedError)
    expect(() => parseStoredVault({ ...inBounds, kdf: null })).toThrow(VaultDamagedError)
    expect(() => parseStoredVault('not a vault')).toThrow(VaultDamagedError)
    expect(() => parseStoredVault({ ...inBounds, format: 99 })).toThrow(VaultDamagedError)
    // A format 2 record with format 1's parameters (or the reverse) is not a vault either.
    expect(() => parseStoredVault({ ...inBounds, format: PBKDF2_VAULT_FORMAT })).toThrow(VaultDamagedError)
    expect(() => parseStoredVault({ ...pbkdf2VaultRecord(), format: VAULT_FORMAT })).toThrow(VaultDamagedError)
  })

  it('marks a vault sealed at a lower Argon2id cost for re-sealing', async () => {
    const vault = await sealVault(phrase, passphrase, cheap)
    expect(vaultNeedsUpgrade(vault)).toBe(true)
    expect(vaultNeedsUpgrade({ ...vault, kdf: { ...vault.kdf, ...VAULT_KDF_COST } })).toBe(false)
    expect(vaultNeedsUpgrade({ ...vault, kdf: { ...vault.kdf, ...VAULT_KDF_COST, passes: 4 } })).toBe(false)
  })

  it('changes the passphrase: the new one opens it, the old one no longer does', async () => {
    const vault = await sealVault(phrase, passphrase, { ...cheap, now: 1_000 })
    const changed = await resealVault(vault, passphrase, 'a brand new passphrase', cheap)
    expect(changed.createdAt).toBe(1_000)
    expect(await openVault(changed, 'a brand new passphrase')).toBe(phrase)
    await expect(openVault(changed, passphrase)).rejects.toBeInstanceOf(WrongPassphraseError)
  })

  it('will not change the passphrase without the current one', async () => {
    const vault = await sealVault(phrase, passphrase, cheap)
    await expect(resealVault(vault, 'wrong passphrase', 'a brand new passphrase', cheap)).rejects.toBeInstanceOf(WrongPassphraseError)
  })
})

describe('vault written before Argon2id (PBKDF2, format 1)', REAL_KDF, () => {
  it('still opens, and is reported as needing re-sealing', async () => {
    const vault = parseStoredVault(pbkdf2VaultRecord())
    expect(vault.format).toBe(PBKDF2_VAULT_FORMAT)
    expect(await openVault(vault, PBKDF2_VAULT_PASSPHRASE)).toBe(PBKDF2_VAULT_PHRASE)
    expect(vaultNeedsUpgrade(vault)).toBe(true)
  })

  it('refuses a wrong passphrase, and reports a changed ciphertext as damage', async () => {
    const vault = parseStoredVault(pbkdf2VaultRecord())
    await expect(openVault(vault, 'correct horse battery stapler')).rejects.toBeInstanceOf(WrongPassphraseError)
    const tampered = parseStoredVault({ ...pbkdf2VaultRecord(), ciphertext: flipByte(vault.ciphertext, 0) })
    await expect(openVault(tampered, PBKDF2_VAULT_PASSPHRASE)).rejects.toBeInstanceOf(VaultDamagedError)
  })

  it('refuses implausible iteration counts when read from storage', () => {
    for (const iterations of [1, 9_999, 100_000_001, 600_000.5, '600000']) {
      const record = pbkdf2VaultRecord()
      expect(() => parseStoredVault({ ...record, kdf: { ...record.kdf, iterations } })).toThrow(VaultDamagedError)
    }
  })

  it('re-seals as an Argon2id vault at today’s cost, keeping its creation time', async () => {
    const old = parseStoredVault(pbkdf2VaultRecord())
    const upgraded = await resealVault(old, PBKDF2_VAULT_PASSPHRASE, PBKDF2_VAULT_PASSPHRASE)
    expect(upgraded.format).toBe(VAULT_FORMAT)
    expect(upgraded.kdf).toMatchObject({ name: 'Argon2id', ...VAULT_KDF_COST })
    expect(upgraded.createdAt).toBe(old.createdAt)
    expect(vaultNeedsUpgrade(upgraded)).toBe(false)
    expect(await openVault(parseStoredVault(structuredClone(upgraded)), PBKDF2_VAULT_PASSPHRASE)).toBe(PBKDF2_VAULT_PHRASE)
  })
})
