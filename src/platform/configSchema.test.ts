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
