import { describe, expect, it } from 'vitest'
import { getAddress } from 'viem'
import { readShareHostConfig } from './config.ts'

const required = {
  CAREKEY_CHAIN_ID: '31337',
  CAREKEY_RPC_URL: 'http://127.0.0.1:8545',
  CAREKEY_CONSENT_REGISTRY: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
}

describe('share host configuration', () => {
  it('runs on the local stack with safe defaults', () => {
    expect(readShareHostConfig(required)).toMatchObject({
      port: 8787,
      host: '127.0.0.1',
      publicUrl: 'http://localhost:8787',
      fileUrlTtlSeconds: 900,
      passcodeAttempts: 10,
      rateLimitPerMinute: 600,
      trustedProxyHops: 0,
      blockTtlMs: 0,
      logRequests: false,
    })
  })

  it('drops a trailing slash from the public URL and refuses one too long for 128-character manifest URLs', () => {
    expect(readShareHostConfig({ ...required, CAREKEY_SHARE_HOST_URL: 'https://share.example.org/' }).publicUrl).toBe('https://share.example.org')
    const long = `https://share.example.org/${'a'.repeat(60)}`
    expect(() => readShareHostConfig({ ...required, CAREKEY_SHARE_HOST_URL: long })).toThrow(
      /CAREKEY_SHARE_HOST_URL: must be at most 80 characters, so that manifest URLs stay within the 128 the spec allows/,
    )
  })

  it('names every missing or bad variable at once', () => {
    let message = ''
    try {
      readShareHostConfig({ CAREKEY_SHARE_HOST_TRUST_PROXY: 'yes', CAREKEY_SHARE_HOST_PASSCODE_ATTEMPTS: '0' })
    } catch (error) {
      message = error instanceof Error ? error.message : ''
    }
    for (const name of ['CAREKEY_CHAIN_ID', 'CAREKEY_RPC_URL', 'CAREKEY_CONSENT_REGISTRY', 'CAREKEY_SHARE_HOST_TRUST_PROXY', 'CAREKEY_SHARE_HOST_PASSCODE_ATTEMPTS']) {
      expect(message).toContain(`  ${name}:`)
    }
  })

  it('reads the number of trusted proxy hops, takes true and false as 1 and 0, and refuses anything else with a clear message', () => {
    const hops = (value: string) => readShareHostConfig({ ...required, CAREKEY_SHARE_HOST_TRUST_PROXY: value }).trustedProxyHops
    expect([hops('0'), hops('1'), hops('2'), hops(' 3 '), hops('true'), hops('false')]).toEqual([0, 1, 2, 3, 1, 0])
    for (const bad of ['yes', '-1', '1.5', '11', '']) {
      expect(() => hops(bad)).toThrow(/CAREKEY_SHARE_HOST_TRUST_PROXY: must be the number of proxies in front of the host that append to X-Forwarded-For, 0 to 10/)
    }
  })

  it('turns the relay off without a sponsor key, and reads its limits', () => {
    expect(readShareHostConfig(required).relay).toEqual({
      sponsorKey: undefined,
      rateLimitPerMinute: 20,
      gasPerDay: 5_000_000n,
      resendAfterMs: 30_000,
      confirmTimeoutMs: 180_000,
      pollingIntervalMs: 1_000,
    })
    const key = `0x${'11'.repeat(32)}`
    expect(
      readShareHostConfig({ ...required, CAREKEY_SPONSOR_PRIVATE_KEY: key, CAREKEY_RELAY_RATE_LIMIT: '5', CAREKEY_RELAY_GAS_PER_DAY: '1000000' }).relay,
    ).toMatchObject({ sponsorKey: key, rateLimitPerMinute: 5, gasPerDay: 1_000_000n })
  })

  it('refuses a malformed sponsor key without repeating it', () => {
    const secret = `0x${'ab'.repeat(31)}`
    let message = ''
    try {
      readShareHostConfig({ ...required, CAREKEY_SPONSOR_PRIVATE_KEY: secret })
    } catch (error) {
      message = error instanceof Error ? error.message : ''
    }
    expect(message).toContain('CAREKEY_SPONSOR_PRIVATE_KEY: must be a 0x-prefixed 32-byte private key')
    expect(message).not.toContain(secret.slice(2))
  })

  it('takes the chain id and the registry from a deployment file, and refuses one that disagrees with a variable', () => {
    const deployment = { chainId: 84532, consentRegistry: '0x5fbdb2315678afecb367f032d93f642f64180aa3' as const, deployBlock: 17 }
    const read = (path: string) => {
      expect(path).toBe('contracts/deployments/base-sepolia.json')
      return { ...deployment, consentRegistry: getAddress(deployment.consentRegistry) }
    }
    const env = { CAREKEY_RPC_URL: 'https://sepolia.base.org', CAREKEY_DEPLOYMENT: 'contracts/deployments/base-sepolia.json' }
    expect(readShareHostConfig(env, read)).toMatchObject({ chainId: 84532, consentRegistry: getAddress(deployment.consentRegistry) })
    expect(() => readShareHostConfig({ ...env, CAREKEY_CHAIN_ID: '31337' }, read)).toThrow(/disagrees with CAREKEY_CHAIN_ID/)
    expect(readShareHostConfig({ ...env, CAREKEY_CHAIN_ID: '84532' }, read).chainId).toBe(84532)
  })

  it('keeps three backup versions of up to 256 MiB by default, and refuses a limit it could not hold', () => {
    expect(readShareHostConfig(required).backups).toEqual({ maxBytes: 268_435_456, versionsKept: 3, rateLimitPerMinute: 60 })
    expect(
      readShareHostConfig({ ...required, CAREKEY_BACKUP_MAX_BYTES: '1048576', CAREKEY_BACKUP_VERSIONS_KEPT: '5', CAREKEY_BACKUP_RATE_LIMIT: '0' }).backups,
    ).toEqual({ maxBytes: 1_048_576, versionsKept: 5, rateLimitPerMinute: 0 })
    expect(() => readShareHostConfig({ ...required, CAREKEY_BACKUP_MAX_BYTES: String(1024 * 1_048_576) })).toThrow(/CAREKEY_BACKUP_MAX_BYTES:/)
    expect(() => readShareHostConfig({ ...required, CAREKEY_BACKUP_VERSIONS_KEPT: '0' })).toThrow(/CAREKEY_BACKUP_VERSIONS_KEPT:/)
  })
})
