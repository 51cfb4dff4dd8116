import { createTestClient, http, parseEther, publicActions, type Address, type Chain } from 'viem'

/** The amount the development faucet gives: enough for thousands of grants. */
export const DEV_FAUCET_AMOUNT = parseEther('10')

/**
 * Local development chain only: sets the address's balance with anvil's test RPC. There is no
 * faucet on a public chain; the account screen hides the button there.
 */
export async function requestDevFunds(chain: Chain, address: Address): Promise<void> {
  const rpcUrl = chain.rpcUrls.default.http[0]
  if (!rpcUrl) throw new Error('The chain has no RPC URL')
  const client = createTestClient({ chain, mode: 'anvil', transport: http(rpcUrl) }).extend(publicActions)
  const current = await client.getBalance({ address })
  await client.setBalance({ address, value: current + DEV_FAUCET_AMOUNT })
}
