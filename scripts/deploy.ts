/**
 * `npm run deploy`: deploys CareKey's contracts to any chain and writes
 * contracts/deployments/<name>.json ({chainId, consentRegistry, deployBlock, credentialRegistry,
 * credentialRegistryBlock, credentialIssuers, prescriptionRegistry, prescriptionRegistryBlock}),
 * which the share host and the app build read through CAREKEY_DEPLOYMENT.
 *
 *   CAREKEY_RPC_URL          JSON-RPC URL of the chain (required)
 *   CAREKEY_DEPLOYER_KEY     0x-prefixed private key of a funded account (required; never printed)
 *   CAREKEY_CREDENTIAL_ISSUERS  comma-separated addresses of the licensing bodies that may
 *                            register credentials, fixed for the registry's lifetime (default:
 *                            the deployer's address)
 *   CAREKEY_DEPLOYMENT_NAME  file name, letters, digits and dashes (default: chain-<chain id>)
 *   CAREKEY_CHAIN_ID         when set, the chain must have this id
 *   CAREKEY_DEPLOYMENTS_DIR  where to write (default: contracts/deployments)
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createPublicClient, formatEther, getAddress, http, isAddress, isHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { deployContracts, type Deployment } from './lib/deploy.ts'

/** A problem with the deploy's input or the chain, said plainly. */
export class DeployError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'DeployError'
  }
}

export type DeployResult = { path: string; deployment: Deployment }

const DEFAULT_DIR = fileURLToPath(new URL('../contracts/deployments', import.meta.url))

/** Deploys with the settings of `env` (see the top of this file) and writes the deployment file. */
export async function deployFromEnvironment(env: Record<string, string | undefined>): Promise<DeployResult> {
  const rpcUrl = env.CAREKEY_RPC_URL?.trim()
  const key = env.CAREKEY_DEPLOYER_KEY?.trim()
  if (!rpcUrl) throw new DeployError('CAREKEY_RPC_URL is not set: give the JSON-RPC URL of the chain to deploy to.')
  if (!/^https?:\/\//.test(rpcUrl)) throw new DeployError('CAREKEY_RPC_URL must be an http(s) URL.')
  if (!key) throw new DeployError('CAREKEY_DEPLOYER_KEY is not set: give the private key (0x…) of a funded account on that chain.')
  if (!isHex(key, { strict: true }) || key.length !== 66) throw new DeployError('CAREKEY_DEPLOYER_KEY must be a 0x-prefixed 32-byte private key.')
  const expectedChainId = env.CAREKEY_CHAIN_ID?.trim()
  if (expectedChainId !== undefined && expectedChainId !== '' && !/^\d+$/.test(expectedChainId)) throw new DeployError('CAREKEY_CHAIN_ID must be a chain id.')

  const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 1, timeout: 15_000 }) })
  let chainId: number
  try {
    chainId = await client.getChainId()
  } catch (cause) {
    // The URL itself is not printed: RPC URLs often carry an API key.
    throw new DeployError('The chain at CAREKEY_RPC_URL does not answer: check the URL and the network.', { cause })
  }
  if (expectedChainId && Number(expectedChainId) !== chainId) {
    throw new DeployError(`The chain at CAREKEY_RPC_URL has chain id ${chainId}, but CAREKEY_CHAIN_ID says ${expectedChainId}. Nothing was deployed.`)
  }
  const name = env.CAREKEY_DEPLOYMENT_NAME?.trim() || `chain-${chainId}`
  if (!/^[a-z0-9][a-z0-9-]*$/i.test(name)) throw new DeployError('CAREKEY_DEPLOYMENT_NAME may hold only letters, digits and dashes.')

  const issuersText = env.CAREKEY_CREDENTIAL_ISSUERS?.trim()
  const issuers = issuersText ? issuersText.split(',').map((a) => a.trim()) : undefined
  if (issuers?.some((a) => !isAddress(a, { strict: false }))) {
    throw new DeployError('CAREKEY_CREDENTIAL_ISSUERS must be 0x-prefixed 20-byte addresses separated by commas.')
  }

  const deployer = privateKeyToAccount(key)
  const balance = await client.getBalance({ address: deployer.address })
  if (balance === 0n) throw new DeployError(`The deployer ${deployer.address} has no funds on chain ${chainId}. Fund it first.`)

  let deployment: Deployment
  try {
    deployment = await deployContracts(client, rpcUrl, key, { credentialIssuers: issuers?.map((a) => getAddress(a)) ?? [deployer.address] })
  } catch (cause) {
    const detail = cause instanceof Error && /insufficient funds/i.test(cause.message) ? `the deployer ${deployer.address} has too little to pay for it (${formatEther(balance)} held)` : 'the chain refused it'
    throw new DeployError(`Deploying CareKey's contracts failed: ${detail}.`, { cause })
  }
  const dir = env.CAREKEY_DEPLOYMENTS_DIR?.trim() || DEFAULT_DIR
  mkdirSync(dir, { recursive: true })
  const path = join(dir, `${name}.json`)
  const file: Deployment = {
    chainId: deployment.chainId,
    consentRegistry: deployment.consentRegistry,
    deployBlock: deployment.deployBlock,
    credentialRegistry: deployment.credentialRegistry,
    credentialRegistryBlock: deployment.credentialRegistryBlock,
    credentialIssuers: deployment.credentialIssuers,
    prescriptionRegistry: deployment.prescriptionRegistry,
    prescriptionRegistryBlock: deployment.prescriptionRegistryBlock,
  }
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`)
  return { path, deployment: file }
}

async function main() {
  try {
    const { path, deployment } = await deployFromEnvironment(process.env)
    console.log(`ConsentRegistry deployed at ${deployment.consentRegistry} on chain ${deployment.chainId} (block ${deployment.deployBlock}).`)
    console.log(`CredentialRegistry deployed at ${deployment.credentialRegistry} (block ${deployment.credentialRegistryBlock}), issuers ${deployment.credentialIssuers?.join(', ')}.`)
    console.log(`PrescriptionRegistry deployed at ${deployment.prescriptionRegistry} (block ${deployment.prescriptionRegistryBlock}).`)
    console.log(`Wrote ${path}. Use it with CAREKEY_DEPLOYMENT=${path} for the share host and the app build.`)
  } catch (error) {
    console.error(error instanceof DeployError ? error.message : error)
    process.exit(1)
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main()
