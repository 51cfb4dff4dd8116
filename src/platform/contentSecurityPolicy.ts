import type { AppConfig } from './configSchema.ts'

/**
 * A content security policy as its directives, in order: each named in camel case
 * (`defaultSrc` is `default-src`, as Hono's secureHeaders names them) with its sources.
 */
export type ContentSecurityPolicyDirectives = Readonly<Record<string, readonly string[]>>

/** What of the configuration the policy depends on: the chain's RPC and the share host. */
export type ContentSecurityPolicyConfig = { chain: Pick<AppConfig['chain'], 'rpcUrl'>; shareHostUrl: AppConfig['shareHostUrl'] }

/**
 * The Trusted Types policy CareKey creates (src/platform/trustedTypes.ts), the only one the
 * content security policy allows: it vouches for the service worker's script URL and nothing else.
 */
export const TRUSTED_TYPES_POLICY_NAME = 'carekey'

/**
 * The origins the app may open connections to (`fetch`, RPC calls) besides its own: its chain's
 * RPC and its share host, which also relays sponsored grants. A shared link to any other share
 * host would be refused by the browser; the viewer says so before it tries.
 *
 * @example
 * connectOrigins(parseAppConfig({ CAREKEY_RPC_URL: 'https://rpc.example.org/v1', CAREKEY_SHARE_HOST_URL: 'https://share.example.org' }))
 * // ['https://rpc.example.org', 'https://share.example.org']
 */
export function connectOrigins(config: ContentSecurityPolicyConfig): string[] {
  return [...new Set([new URL(config.chain.rpcUrl).origin, new URL(config.shareHostUrl).origin])]
}

/**
 * The content security policy of the production build, from the configuration: scripts only
 * from CareKey itself (plus WebAssembly, for the QR decoder), every script sink (script URLs,
 * `innerHTML`, `eval`) closed by Trusted Types except the one URL CareKey's own policy vouches
 * for, no plugins, no framing of other sites' pages, and network requests only to CareKey's own
 * origin, its chain's RPC and its share host ({@link connectOrigins}).
 *
 * The build writes it into index.html's meta tag; `npm start` (server/src/production.ts) sends
 * that same policy as a header, with {@link HEADER_ONLY_DIRECTIVES} added.
 *
 * @example
 * contentSecurityPolicy(parseAppConfig(env)) // "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; …"
 */
export function contentSecurityPolicy(config: ContentSecurityPolicyConfig): string {
  return serializeContentSecurityPolicy({
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
    // React and the UI set a few style attributes; no style sheet comes from elsewhere.
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:', 'blob:'],
    mediaSrc: ["'self'", 'blob:'],
    // Attachments (PDF) are shown from blob: URLs in a frame.
    frameSrc: ["'self'", 'blob:'],
    objectSrc: ["'none'"],
    workerSrc: ["'self'"],
    manifestSrc: ["'self'"],
    connectSrc: ["'self'", ...connectOrigins(config)],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    requireTrustedTypesFor: ["'script'"],
    trustedTypes: [TRUSTED_TYPES_POLICY_NAME],
  })
}

/**
 * What only a header can carry (browsers ignore it in a meta tag): no site may frame CareKey,
 * so none can lay its own page over the grant and revoke buttons.
 */
export const HEADER_ONLY_DIRECTIVES = {
  frameAncestors: ["'none'"],
} as const satisfies ContentSecurityPolicyDirectives

/**
 * Writes directives the way a header or a meta tag carries them.
 *
 * @example
 * serializeContentSecurityPolicy({ defaultSrc: ["'self'"], baseUri: ["'none'"] }) // "default-src 'self'; base-uri 'none'"
 */
export function serializeContentSecurityPolicy(directives: ContentSecurityPolicyDirectives): string {
  return Object.entries(directives)
    .map(([name, sources]) => [name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`), ...sources].join(' '))
    .join('; ')
}

/**
 * Reads a policy written by {@link serializeContentSecurityPolicy} back into its directives.
 *
 * @example
 * parseContentSecurityPolicy("default-src 'self'; base-uri 'none'") // { defaultSrc: ["'self'"], baseUri: ["'none'"] }
 */
export function parseContentSecurityPolicy(policy: string): Record<string, string[]> {
  const directives: Record<string, string[]> = {}
  for (const directive of policy.split(';')) {
    const [name, ...sources] = directive.trim().split(/\s+/)
    if (!name) continue
    directives[name.toLowerCase().replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase())] = sources
  }
  return directives
}
