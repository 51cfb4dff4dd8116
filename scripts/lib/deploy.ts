import { createWalletClient, getAddress, http, type Abi, type Address, type Hex, type PublicClient } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { consentRegistryAbi, consentRegistryBytecode } from '../../contracts/generated/ConsentRegistry.ts'
import { credentialRegistryAbi, credentialRegistryBytecode } from '../../contracts/generated/CredentialRegistry.ts'
import { prescriptionRegistryAbi, prescriptionRegistryBytecode } from '../../contracts/generated/PrescriptionRegistry.ts'
import { ANVIL_ISSUER_KEY } from './anvil.ts'

export type Deployment = {
  chainId: number
  consentRegistry: Address
  /** Block of the first deployment (the ConsentRegistry), so that event scans need not start at genesis. */
  deployBlock: number
  credentialRegistry: Address
  credentialRegistryBlock: number
  /** The licensing bodies the CredentialRegistry was deployed with (fixed for its lifetime). */
  credentialIssuers: Address[]
  prescriptionRegistry: Address
  prescriptionRegistryBlock: number
}

/** The local stack's licensing body (anvil's account 8): the default credential issuer. */
export const LOCAL_LICENSING_BODY: Address = privateKeyToAccount(ANVIL_ISSUER_KEY).address

export type DeployOptions = {
  /** Who may register credentials; the local licensing body (anvil's account 8) when absent. */
  credentialIssuers?: readonly Address[]
}

/**
 * Deploys CareKey's contracts with the given key, in this order: ConsentRegistry,
 * CredentialRegistry (with its issuers), PrescriptionRegistry (reading that CredentialRegistry).
 * On a fresh anvil with its first account the addresses are always the same (they depend only
 * on the deployer and its nonce).
 */
export async function deployContracts(client: PublicClient, rpcUrl: string, deployerKey: Hex, options: DeployOptions = {}): Promise<Deployment> {
  const account = privateKeyToAccount(deployerKey)
  const chainId = await client.getChainId()
  const wallet = createWalletClient({ account, chain: { ...foundry, id: chainId }, transport: http(rpcUrl) })
  const deployed = async (name: string, hash: Hex) => {
    const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 50 })
    if (receipt.status !== 'success' || !receipt.contractAddress) throw new Error(`Deploying ${name} failed in transaction ${hash}`)
    return { address: getAddress(receipt.contractAddress), block: Number(receipt.blockNumber) }
  }
  const deploy = (abi: Abi, bytecode: Hex, args?: readonly unknown[]) => wallet.deployContract({ abi, bytecode, args })

  const consent = await deployed('ConsentRegistry', await deploy(consentRegistryAbi, consentRegistryBytecode))
  const credentialIssuers = (options.credentialIssuers ?? [LOCAL_LICENSING_BODY]).map((a) => getAddress(a))
  const credentials = await deployed('CredentialRegistry', await deploy(credentialRegistryAbi, credentialRegistryBytecode, [credentialIssuers]))
  const prescriptions = await deployed('PrescriptionRegistry', await deploy(prescriptionRegistryAbi, prescriptionRegistryBytecode, [credentials.address]))
  return {
    chainId,
    consentRegistry: consent.address,
    deployBlock: consent.block,
    credentialRegistry: credentials.address,
    credentialRegistryBlock: credentials.block,
    credentialIssuers,
    prescriptionRegistry: prescriptions.address,
    prescriptionRegistryBlock: prescriptions.block,
  }
}
