import { encodeAbiParameters, keccak256, type Address, type Hex } from 'viem'
import type { GrantTerms } from './terms.ts'

/** Where a grant is recorded: the chain and the ConsentRegistry contract on it. */
export type RegistryLocation = {
  chainId: number
  registry: Address
}

/** The ABI shape of `ConsentRegistry.GrantTerms`, field for field and in order. */
export const GRANT_TERMS_ABI_PARAMETER = {
  type: 'tuple',
  components: [
    { name: 'patient', type: 'address' },
    { name: 'grantee', type: 'bytes32' },
    { name: 'scopeHash', type: 'bytes32' },
    { name: 'purpose', type: 'bytes32' },
    { name: 'validFrom', type: 'uint64' },
    { name: 'validUntil', type: 'uint64' },
    { name: 'dataHash', type: 'bytes32' },
    { name: 'salt', type: 'bytes32' },
  ],
} as const

/**
 * The commitment recorded on chain for these terms, exactly as the contract's
 * `commitmentOf(terms)` computes it: `keccak256(abi.encode(block.chainid, address(this), terms))`.
 * Binding the chain id and the registry address means a grant recorded on one chain or
 * registry never verifies on another.
 *
 * @example
 * const commitment = grantCommitment(terms, { chainId: 31337, registry: '0x5FbDB2315678afecb367f032d93F642f64180aa3' })
 */
export function grantCommitment(terms: GrantTerms, location: RegistryLocation): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'uint256' }, { type: 'address' }, GRANT_TERMS_ABI_PARAMETER],
      [BigInt(location.chainId), location.registry, terms],
    ),
  )
}
