import type { AppConfig } from './configSchema.ts'

/**
 * The content security policy of the production build, from the configuration: scripts only
 * from CareKey itself (plus WebAssembly, for the QR decoder), no plugins, no framing of other
 * sites' pages, network requests only to CareKey, its chain's RPC and share hosts. Share links
 * from other SMART Health Links apps name other hosts, so any https host may be fetched: what
 * the policy chiefly guards is which code runs.
 *
 * @example
 * contentSecurityPolicy(parseAppConfig(env)) // "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; …"
 */
export function contentSecurityPolicy(config: AppConfig): string {
  const origins = [...new Set([new URL(config.chain.rpcUrl).origin, new URL(config.shareHostUrl).origin])]
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    // React and the UI set a few style attributes; no style sheet comes from elsewhere.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    // Attachments (PDF) are shown from blob: URLs in a frame.
    "frame-src 'self' blob:",
    "object-src 'none'",
    "worker-src 'self'",
    "manifest-src 'self'",
    `connect-src 'self' blob: ${origins.join(' ')} https:`,
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ')
}
