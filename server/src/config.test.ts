import { describe, expect, it } from 'vitest'
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
      trustProxy: false,
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
})
