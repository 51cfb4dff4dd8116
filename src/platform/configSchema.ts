import { isAddress, type Address } from 'viem'
import localDeployment from '../../contracts/deployments/local.json'

/**
 * CareKey's configuration: its shape and its validation, with the local development stack
 * (written by the deploy script) as the default. Pure, so the build configuration (the
 * content security policy) and tests use it too; src/platform/config.ts reads the environment.
 */
export type AppConfig = {
  chain: {
    id: number
    name: string
    rpcUrl: string
    /** A block explorer base URL for links to transactions, when the chain has one. */
    explorerUrl: string | undefined
    /** The local development chain: shows the faucet and allows test-only RPC methods. */
    isLocalDevChain: boolean
  }
  consentRegistry: Address
  /** Block from which to scan registry events (its deployment block). */
  consentRegistryBlock: bigint
  /** Who holds a clinician, prescriber or pharmacy credential; undefined on a chain without one. */
  credentialRegistry: ContractLocation | undefined
  /** E-prescriptions and their dispensing; undefined on a chain without one. */
  prescriptionRegistry: ContractLocation | undefined
  shareHostUrl: string
}

/** A contract the app reads: its address and the block it was deployed in (event scans start there). */
export type ContractLocation = { address: Address; fromBlock: bigint }

export const LOCAL_DEV_CHAIN_ID = 31337

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`CareKey is misconfigured:\n${problems.map((p) => `- ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

type Env = Partial<Record<string, string | boolean | undefined>>

/** Validates raw environment values; throws a ConfigError listing every problem. */
export function parseAppConfig(env: Env): AppConfig {
  const problems: string[] = []
  const str = (name: string): string | undefined => {
    const value = env[name]
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
  }
  const chainId = Number(str('CAREKEY_CHAIN_ID') ?? localDeployment.chainId)
  if (!Number.isSafeInteger(chainId) || chainId <= 0) problems.push('CAREKEY_CHAIN_ID must be a positive integer')
  const rpcUrl = str('CAREKEY_RPC_URL') ?? localDeployment.rpcUrl
  if (!isHttpUrl(rpcUrl)) problems.push('CAREKEY_RPC_URL must be an http(s) URL')
  const registry = str('CAREKEY_CONSENT_REGISTRY') ?? localDeployment.consentRegistry
  if (!isAddress(registry)) problems.push('CAREKEY_CONSENT_REGISTRY must be a 0x-prefixed 20-byte address')
  const registryBlock = str('CAREKEY_CONSENT_REGISTRY_BLOCK') ?? String(localDeployment.deployBlock)
  if (!/^\d+$/.test(registryBlock)) problems.push('CAREKEY_CONSENT_REGISTRY_BLOCK must be a block number')
  // The local stack's registries are the default on the local chain only: on another chain a
  // registry that is not configured does not exist, and must not be read at a local address.
  const onLocalChain = chainId === localDeployment.chainId
  const contract = (name: string, local: { address: string; block: number }): ContractLocation | undefined => {
    const address = str(name) ?? (onLocalChain ? local.address : undefined)
    const block = str(`${name}_BLOCK`) ?? (onLocalChain && str(name) === undefined ? String(local.block) : undefined)
    if (address === undefined) {
      if (block !== undefined) problems.push(`${name}_BLOCK is set without ${name}`)
      return undefined
    }
    if (!isAddress(address)) problems.push(`${name} must be a 0x-prefixed 20-byte address`)
    if (block === undefined || !/^\d+$/.test(block)) problems.push(`${name}_BLOCK must be a block number`)
    return isAddress(address) && block !== undefined && /^\d+$/.test(block) ? { address, fromBlock: BigInt(block) } : undefined
  }
  const credentialRegistry = contract('CAREKEY_CREDENTIAL_REGISTRY', {
    address: localDeployment.credentialRegistry,
    block: localDeployment.credentialRegistryBlock,
  })
  const prescriptionRegistry = contract('CAREKEY_PRESCRIPTION_REGISTRY', {
    address: localDeployment.prescriptionRegistry,
    block: localDeployment.prescriptionRegistryBlock,
  })
  if (prescriptionRegistry && !credentialRegistry) problems.push('CAREKEY_PRESCRIPTION_REGISTRY needs CAREKEY_CREDENTIAL_REGISTRY: prescriptions are checked against credentials')
  const shareHostUrl = (str('CAREKEY_SHARE_HOST_URL') ?? 'http://localhost:8787').replace(/\/+$/, '')
  if (!isHttpUrl(shareHostUrl)) problems.push('CAREKEY_SHARE_HOST_URL must be an http(s) URL')
  const explorerUrl = str('CAREKEY_EXPLORER_URL')?.replace(/\/+$/, '')
  if (explorerUrl !== undefined && !isHttpUrl(explorerUrl)) problems.push('CAREKEY_EXPLORER_URL must be an http(s) URL')
  if (problems.length > 0) throw new ConfigError(problems)

  return {
    chain: {
      id: chainId,
      name: str('CAREKEY_CHAIN_NAME') ?? (chainId === LOCAL_DEV_CHAIN_ID ? 'Local development chain' : `Chain ${chainId}`),
      rpcUrl,
      explorerUrl,
      isLocalDevChain: chainId === LOCAL_DEV_CHAIN_ID,
    },
    consentRegistry: registry as Address,
    consentRegistryBlock: BigInt(registryBlock),
    credentialRegistry,
    prescriptionRegistry,
    shareHostUrl,
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return url.protocol === 'http:' || url.protocol === 'https:'
  } catch {
    return false
  }
}

