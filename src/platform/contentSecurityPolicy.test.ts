import { describe, expect, it } from 'vitest'
import { parseAppConfig } from './configSchema.ts'
import {
  connectOrigins,
  contentSecurityPolicy,
  parseContentSecurityPolicy,
  serializeContentSecurityPolicy,
  TRUSTED_TYPES_POLICY_NAME,
} from './contentSecurityPolicy.ts'

describe('contentSecurityPolicy', () => {
  const config = parseAppConfig({
    CAREKEY_RPC_URL: 'https://rpc.example.org/v1/key',
    CAREKEY_SHARE_HOST_URL: 'https://share.example.org',
    CAREKEY_EXPLORER_URL: 'https://explorer.example.org',
  })
  const policy = contentSecurityPolicy(config)
  const directive = (name: string) => policy.split('; ').find((d) => d.startsWith(`${name} `))

  it('runs only CareKey’s own scripts (and WebAssembly for the QR decoder)', () => {
    expect(directive('script-src')).toBe("script-src 'self' 'wasm-unsafe-eval'")
    expect(directive('object-src')).toBe("object-src 'none'")
    expect(directive('base-uri')).toBe("base-uri 'none'")
  })

  it('closes every script sink to strings, with one named Trusted Types policy and no default one', () => {
    expect(directive('require-trusted-types-for')).toBe("require-trusted-types-for 'script'")
    expect(directive('trusted-types')).toBe(`trusted-types ${TRUSTED_TYPES_POLICY_NAME}`)
    expect(TRUSTED_TYPES_POLICY_NAME).toBe('carekey')
  })

  it('connects to exactly its own origin, its chain’s RPC and its share host (which relays for the sponsor): no other host, no scheme-wide source', () => {
    expect(directive('connect-src')).toBe("connect-src 'self' https://rpc.example.org https://share.example.org")
    expect(connectOrigins(config)).toEqual(['https://rpc.example.org', 'https://share.example.org'])
  })

  it('names an origin once when the RPC and the share host share it', () => {
    const shared = parseAppConfig({ CAREKEY_RPC_URL: 'http://localhost:8787/rpc', CAREKEY_SHARE_HOST_URL: 'http://localhost:8787' })
    expect(parseContentSecurityPolicy(contentSecurityPolicy(shared)).connectSrc).toEqual(["'self'", 'http://localhost:8787'])
  })

  it('reads back into the directives it was written from, so a server can add to it', () => {
    const directives = parseContentSecurityPolicy(policy)
    expect(directives.connectSrc).toEqual(["'self'", 'https://rpc.example.org', 'https://share.example.org'])
    expect(directives.trustedTypes).toEqual(['carekey'])
    expect(directives.frameAncestors).toBeUndefined()
    expect(serializeContentSecurityPolicy(directives)).toBe(policy)
    expect(serializeContentSecurityPolicy({ ...directives, frameAncestors: ["'none'"] })).toBe(`${policy}; frame-ancestors 'none'`)
  })
})
