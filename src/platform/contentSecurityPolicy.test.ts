import { describe, expect, it } from 'vitest'
import { parseAppConfig } from './configSchema.ts'
import { contentSecurityPolicy, parseContentSecurityPolicy, serializeContentSecurityPolicy } from './contentSecurityPolicy.ts'

describe('contentSecurityPolicy', () => {
  const policy = contentSecurityPolicy(
    parseAppConfig({ CAREKEY_RPC_URL: 'https://rpc.example.org/v1/key', CAREKEY_SHARE_HOST_URL: 'https://share.example.org' }),
  )
  const directive = (name: string) => policy.split('; ').find((d) => d.startsWith(`${name} `))

  it('runs only CareKey’s own scripts (and WebAssembly for the QR decoder)', () => {
    expect(directive('script-src')).toBe("script-src 'self' 'wasm-unsafe-eval'")
    expect(directive('object-src')).toBe("object-src 'none'")
    expect(directive('base-uri')).toBe("base-uri 'none'")
  })

  it('lets the app reach its chain and share host by origin', () => {
    expect(directive('connect-src')).toBe("connect-src 'self' blob: https://rpc.example.org https://share.example.org https:")
  })

  it('reads back into the directives it was written from, so a server can add to it', () => {
    const directives = parseContentSecurityPolicy(policy)
    expect(directives.connectSrc).toEqual(["'self'", 'blob:', 'https://rpc.example.org', 'https://share.example.org', 'https:'])
    expect(directives.frameAncestors).toBeUndefined()
    expect(serializeContentSecurityPolicy(directives)).toBe(policy)
    expect(serializeContentSecurityPolicy({ ...directives, frameAncestors: ["'none'"] })).toBe(`${policy}; frame-ancestors 'none'`)
  })
})
