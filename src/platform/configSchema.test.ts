import { describe, expect, it } from 'vitest'
import localDeployment from '../../contracts/deployments/local.json'
import { ConfigError, parseAppConfig } from './configSchema.ts'

describe('parseAppConfig', () => {
  it('defaults to the local development stack', () => {
    const config = parseAppConfig({})
    expect(config.chain).toMatchObject({ id: 31337, rpcUrl: localDeployment.rpcUrl, isLocalDevChain: true })
    expect(config.consentRegistry).toBe(localDeployment.consentRegistry)
    expect(config.consentRegistryBlock).toBe(BigInt(localDeployment.deployBlock))
    expect(config.shareHostUrl).toBe('http://localhost:8787')
    expect(config.credentialRegistry).toEqual({ address: localDeployment.credentialRegistry, fromBlock: BigInt(localDeployment.credentialRegistryBlock) })
    expect(config.prescriptionRegistry).toEqual({ address: localDeployment.prescriptionRegistry, fromBlock: BigInt(localDeployment.prescriptionRegistryBlock) })
  })

  it('reads the credential and prescription registries with their blocks from the environment', () => {
    const config = parseAppConfig({
      CAREKEY_CHAIN_ID: '84532',
      CAREKEY_CREDENTIAL_REGISTRY: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
      CAREKEY_CREDENTIAL_REGISTRY_BLOCK: '100',
      CAREKEY_PRESCRIPTION_REGISTRY: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0',
      CAREKEY_PRESCRIPTION_REGISTRY_BLOCK: '101',
    })
    expect(config.credentialRegistry).toEqual({ address: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512', fromBlock: 100n })
    expect(config.prescriptionRegistry).toEqual({ address: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0', fromBlock: 101n })
  })

  it('never uses the local registries on another chain: unset there, they are absent', () => {
    const config = parseAppConfig({ CAREKEY_CHAIN_ID: '84532' })
    expect(config.credentialRegistry).toBeUndefined()
    expect(config.prescriptionRegistry).toBeUndefined()
  })

  it('refuses a registry without its block, a block without its registry, and prescriptions without credentials', () => {
    const problems = (env: Record<string, string>) => {
      try {
        parseAppConfig(env)
        return []
      } catch (error) {
        return error instanceof ConfigError ? error.problems : ['not a ConfigError']
      }
    }
    expect(problems({ CAREKEY_CHAIN_ID: '84532', CAREKEY_CREDENTIAL_REGISTRY: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512' })).toEqual([
      'CAREKEY_CREDENTIAL_REGISTRY_BLOCK must be a block number',
    ])
    expect(problems({ CAREKEY_CHAIN_ID: '84532', CAREKEY_CREDENTIAL_REGISTRY: '0x1234', CAREKEY_CREDENTIAL_REGISTRY_BLOCK: '1' })).toEqual([
      'CAREKEY_CREDENTIAL_REGISTRY must be a 0x-prefixed 20-byte address',
    ])
    expect(problems({ CAREKEY_CHAIN_ID: '84532', CAREKEY_PRESCRIPTION_REGISTRY_BLOCK: '5' })).toEqual(['CAREKEY_PRESCRIPTION_REGISTRY_BLOCK is set without CAREKEY_PRESCRIPTION_REGISTRY'])
    expect(
      problems({ CAREKEY_CHAIN_ID: '84532', CAREKEY_PRESCRIPTION_REGISTRY: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0', CAREKEY_PRESCRIPTION_REGISTRY_BLOCK: '5' }),
    ).toEqual(['CAREKEY_PRESCRIPTION_REGISTRY needs CAREKEY_CREDENTIAL_REGISTRY: prescriptions are checked against credentials'])
  })

  it('reads a public chain and share host from the environment', () => {
    const config = parseAppConfig({
      CAREKEY_CHAIN_ID: '84532',
      CAREKEY_CHAIN_NAME: 'Base Sepolia',
      CAREKEY_RPC_URL: 'https://sepolia.base.org',
      CAREKEY_EXPLORER_URL: 'https://sepolia.basescan.org/',
      CAREKEY_CONSENT_REGISTRY: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
      CAREKEY_CONSENT_REGISTRY_BLOCK: '123456',
      CAREKEY_SHARE_HOST_URL: 'https://share.example.org/',
    })
    expect(config.chain).toEqual({
      id: 84532,
      name: 'Base Sepolia',
      rpcUrl: 'https://sepolia.base.org',
      explorerUrl: 'https://sepolia.basescan.org',
      isLocalDevChain: false,
    })
    expect(config.consentRegistryBlock).toBe(123456n)
    expect(config.shareHostUrl).toBe('https://share.example.org')
  })

  it('lists every invalid variable at once', () => {
    let error: unknown
    try {
      parseAppConfig({ CAREKEY_CHAIN_ID: 'one', CAREKEY_RPC_URL: 'ftp://x', CAREKEY_CONSENT_REGISTRY: '0x1234', CAREKEY_SHARE_HOST_URL: 'nope' })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).problems).toEqual([
      'CAREKEY_CHAIN_ID must be a positive integer',
      'CAREKEY_RPC_URL must be an http(s) URL',
      'CAREKEY_CONSENT_REGISTRY must be a 0x-prefixed 20-byte address',
      'CAREKEY_SHARE_HOST_URL must be an http(s) URL',
    ])
  })
})
