import { createWalletClient, getAddress, http, type Address, type Hex, type PublicClient } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { consentRegistryAbi, consentRegistryBytecode } from '../../contracts/generated/ConsentRegistry.ts'

export type Deployment = {
  chainId: number
  consentRegistry: Address
  /** Block of the first deployment, so that event scans need not start at genesis. */
  deployBlock: number
}

/**
 * Deploys CareKey's contracts with the given key. On a fresh anvil with its first account the
 * addresses are always the same (they depend only on the deployer and its nonce).
 */
export async function deployContracts(client: PublicClient, rpcUrl: string, deployerKey: Hex): Promise<Deployment> {
  const account = privateKeyToAccount(deployerKey)
  const chainId = await client.getChainId()
  const wallet = createWalletClient({ account, chain: { ...foundry, id: chainId }, transport: http(rpcUrl) })
  const hash = await wallet.deployContract({ abi: consentRegistryAbi, bytecode: consentRegistryBytecode })
  const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 50 })
  if (receipt.status !== 'success' || !receipt.contractAddress) {
    throw new Error(`Deploying ConsentRegistry failed in transaction ${hash}`)
  }
  return { chainId, consentRegistry: getAddress(receipt.contractAddress), deployBlock: Number(receipt.blockNumber) }
}
