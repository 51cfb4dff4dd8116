import type { PublicClient } from 'viem'

/**
 * Refuses a client for another chain than the contract's: it would read another chain's state
 * and call everything unknown. A programming error, not a CareKeyError.
 *
 * @example
 * checkClientChain(client, registry.chainId)
 */
export function checkClientChain(client: PublicClient, chainId: number): void {
  if (client.chain && client.chain.id !== chainId) {
    throw new Error(`The public client is for chain ${client.chain.id}, the contract is on chain ${chainId}`)
  }
}
