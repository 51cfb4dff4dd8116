import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesToHex } from 'viem'
import { consentRegistryAbi } from '../../../contracts/generated/ConsentRegistry.ts'
import { startLocalChainForTests } from '../../../scripts/lib/chainFixture.ts'
import { grantCommitment } from './commitment.ts'
import type { GrantTerms } from './terms.ts'

const local = startLocalChainForTests()

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => bytesToHex(b))
const uint64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })
const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => bytesToHex(b))
const termsArb: fc.Arbitrary<GrantTerms> = fc.record({
  patient: address,
  grantee: bytes32,
  scopeHash: bytes32,
  purpose: bytes32,
  validFrom: uint64,
  validUntil: uint64,
  dataHash: bytes32,
  salt: bytes32,
})

describe('grantCommitment on a real chain', () => {
  it('equals the contract’s commitmentOf for any terms', async () => {
    const location = { chainId: local.deployment.chainId, registry: local.deployment.consentRegistry }
    await fc.assert(
      fc.asyncProperty(termsArb, async (terms) => {
        const onChain = await local.publicClient.readContract({
          address: location.registry,
          abi: consentRegistryAbi,
          functionName: 'commitmentOf',
          args: [terms],
        })
        expect(grantCommitment(terms, location)).toBe(onChain)
      }),
      { numRuns: 60 },
    )
  })
})
