import type { AppConfig } from './configSchema.ts'

/**
 * A content security policy as its directives, in order: each named in camel case
 * (`defaultSrc` is `default-src`, as Hono's secureHeaders names them) with its sources.
 */
export type ContentSecurityPolicyDirectives = Readonly<Record<string, readonly string[]>>

/**
 * The content security policy of the production build, from the configuration: scripts only
 * from CareKey itself (plus WebAssembly, for the QR decoder), no plugins, no framing of other
 * sites' pages, network requests only to CareKey, its chain's RPC and share hosts. Share links
 * from other SMART Health Links apps name other hosts, so any https host may be fetched: what
 * the policy chiefly guards is which code runs.
 *
 * The build writes it into index.html's meta tag; `npm start` (server/src/production.ts) sends
 * that same policy as a header, with {@link HEADER_ONLY_DIRECTIVES} added.
 *
 * @example
 * contentSecurityPolicy(parseAppConfig(env)) // "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; …"
 */
export function contentSecurityPolicy(config: AppConfig): string {
  const origins = [...new Set([new URL(config.chain.rpcUrl).origin, new URL(config.shareHostUrl).origin])]
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
    connectSrc: ["'self'", 'blob:', ...origins, 'https:'],
    baseUri: ["'none'"],
    formAction: ["'self'"],
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
