import { describe, expect, it } from 'vitest'
import { encodeAbiParameters, keccak256, type Hex } from 'viem'
import { grantCommitment, GRANT_TERMS_ABI_PARAMETER } from './commitment.ts'
import { createGrantTerms, type GrantTerms } from './terms.ts'

const registry = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const location = { chainId: 31337, registry } as const
const terms = createGrantTerms(
  {
    patient: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
    grantee: { kind: 'address', address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' },
    scope: { categories: ['allergies'], recordIds: [], actions: ['access'] },
    purpose: 'TREAT',
    validUntil: new Date('2026-11-21T10:00:00Z'),
  },
  { now: new Date('2026-11-20T10:00:00Z') },
)

const flip = (hex: Hex): Hex => `0x${hex.slice(2, -1)}${hex.endsWith('0') ? '1' : '0'}`

describe('grantCommitment', () => {
  it('is keccak256 of the chain id, the registry and the eight fields in the contract’s order, 32 bytes each', () => {
    const encoded = encodeAbiParameters([{ type: 'uint256' }, { type: 'address' }, GRANT_TERMS_ABI_PARAMETER], [31337n, registry, terms])
    expect((encoded.length - 2) / 2).toBe(32 * 10)
    expect(grantCommitment(terms, location)).toBe(keccak256(encoded))
  })

  it('changes when any term changes', () => {
    const variants: GrantTerms[] = [
      { ...terms, patient: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' },
      { ...terms, grantee: flip(terms.grantee) },
      { ...terms, scopeHash: flip(terms.scopeHash) },
      { ...terms, purpose: flip(terms.purpose) },
      { ...terms, validFrom: terms.validFrom + 1n },
      { ...terms, validUntil: terms.validUntil + 1n },
      { ...terms, dataHash: flip(terms.dataHash) },
      { ...terms, salt: flip(terms.salt) },
    ]
    const commitments = new Set([terms, ...variants].map((t) => grantCommitment(t, location)))
    expect(commitments.size).toBe(9)
  })

  it('binds the chain and the registry', () => {
    const here = grantCommitment(terms, location)
    expect(grantCommitment(terms, { ...location, chainId: 1 })).not.toBe(here)
    expect(grantCommitment(terms, { ...location, registry: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512' })).not.toBe(here)
  })

  it('does not depend on how addresses and hashes are capitalised', () => {
    const upper: GrantTerms = { ...terms, salt: `0x${terms.salt.slice(2).toUpperCase()}` }
    expect(grantCommitment(upper, location)).toBe(grantCommitment(terms, location))
  })
})
