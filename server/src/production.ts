import { serveStatic } from '@hono/node-server/serve-static'
import { Hono, type Context, type Env, type MiddlewareHandler } from 'hono'
import { secureHeaders } from 'hono/secure-headers'
import { HEADER_ONLY_DIRECTIVES, parseContentSecurityPolicy } from '../../src/platform/contentSecurityPolicy.ts'
import { createShareHostApp, type ShareHostDeps } from './app.ts'
import { isHashedAsset, readBuiltApp } from './builtApp.ts'
import type { ShareHostConfig } from './config.ts'
import type { ProductionConfig } from './productionConfig.ts'
import { startShareHost, type RunningShareHost } from './serve.ts'

export type ProductionAppOptions = {
  /** The built app (`npm run build`). */
  distDir: string
  /** The share host to serve; by default one made from the configuration and `deps`. */
  shareHost?: Hono
  deps?: ShareHostDeps
}

/** Hono does not export the type of its options. */
type SecureHeadersOptions = NonNullable<Parameters<typeof secureHeaders>[0]>

/** How long browsers keep a file whose name changes with its content: a year, never revalidated. */
export const IMMUTABLE = 'public, max-age=31536000, immutable'
/** Kept, but asked again each time: index.html, the service worker, the manifest, icons. */
export const REVALIDATE = 'no-cache'
/** Never kept: every share host reply (manifests, files, access logs, relay receipts). */
export const NEVER_STORE = 'no-store'

/**
 * Powerful features, by the names of Hono's secureHeaders: the camera (the QR scanner), the
 * screen wake lock (the full-screen consent QR) and writing to the clipboard (copy buttons)
 * for CareKey's own pages only; what it never uses, for no one. Only features Chromium knows:
 * it reports any other as an error on every page (e2e/production.spec.ts checks).
 */
const PERMISSIONS_POLICY = {
  camera: ['self'],
  screenWakeLock: ['self'],
  clipboardWrite: ['self'],
  accelerometer: [],
  browsingTopics: [],
  displayCapture: [],
  geolocation: [],
  gyroscope: [],
  hid: [],
  idleDetection: [],
  localFonts: [],
  magnetometer: [],
  microphone: [],
  midi: [],
  payment: [],
  publickeyCredentialsGet: [],
  serial: [],
  usb: [],
  xrSpatialTracking: [],
} satisfies SecureHeadersOptions['permissionsPolicy']

/**
 * The share host's replies are data for programs, never pages: nothing in them may load or
 * run, and nothing may frame them.
 */
const SHARE_HOST_POLICY = { defaultSrc: ["'none'"], ...HEADER_ONLY_DIRECTIVES }

/**
 * The share host's routes (see README, "Share host"). Everything else is the app.
 *
 * @example
 * isShareHostPath('/shl/abc') // true
 * isShareHostPath('/consent/abc') // false
 */
export function isShareHostPath(path: string): boolean {
  return path === '/health' || path === '/shl' || path.startsWith('/shl/') || path === '/api' || path.startsWith('/api/')
}

/**
 * Whether the browser reached this response over TLS: the public URL is https, or a proxy the
 * host trusts (CAREKEY_SHARE_HOST_TRUST_PROXY) says so in X-Forwarded-Proto. Strict transport
 * security is sent only then (browsers ignore it over plain HTTP, and a local `npm start` on
 * http://localhost must stay reachable).
 */
function reachedOverTls(c: Context, config: ShareHostConfig): boolean {
  if (new URL(config.publicUrl).protocol === 'https:') return true
  if (config.trustedProxyHops === 0) return false
  // As for X-Forwarded-For: the entry the outermost trusted proxy wrote, counted from the right.
  const entries = c.req.header('x-forwarded-proto')?.split(',').map((e) => e.trim().toLowerCase()) ?? []
  return entries.length >= config.trustedProxyHops && entries.at(-config.trustedProxyHops) === 'https'
}

/**
 * The production server of `npm start`: the built app and the share host on one origin.
 *
 * - The share host's routes (`/shl/*`, `/api/*`, `/health`) go to the share host unchanged
 *   (its CORS stays open to viewers on any origin), never stored by caches, and readable across
 *   origins (`Cross-Origin-Resource-Policy: cross-origin`).
 * - Every other GET is a file of the built app, or index.html for the app's own routes (the
 *   single-page fallback). A path under `assets/`, or one that names a file (`/x.png`), that
 *   is not there is a 404, not the app.
 * - Every response carries the security headers a health app needs, from Hono's secureHeaders:
 *   the app's content security policy (index.html's, plus `frame-ancestors 'none'`),
 *   no referrer, a permissions policy, a same-origin opener policy, nosniff, no framing, and
 *   strict transport security when reached over TLS.
 *
 * Throws a BuiltAppError when `distDir` holds no build, or one built for another share host.
 *
 * @example
 * serve({ fetch: createProductionApp(config, { distDir: 'dist' }).fetch, port: config.port })
 */
export function createProductionApp(config: ShareHostConfig, options: ProductionAppOptions): Hono {
  const built = readBuiltApp(options.distDir, config.publicUrl)
  const shareHost = options.shareHost ?? createShareHostApp(config, options.deps)

  const appPolicy = { ...parseContentSecurityPolicy(built.contentSecurityPolicy), ...HEADER_ONLY_DIRECTIVES }
  const headers = (kind: 'app' | 'shareHost', tls: boolean) =>
    secureHeaders({
      contentSecurityPolicy: copy(kind === 'app' ? appPolicy : SHARE_HOST_POLICY),
      crossOriginResourcePolicy: kind === 'app' ? 'same-origin' : 'cross-origin',
      crossOriginOpenerPolicy: 'same-origin',
      referrerPolicy: 'no-referrer',
      strictTransportSecurity: tls,
      xContentTypeOptions: 'nosniff',
      xFrameOptions: 'DENY',
      permissionsPolicy: PERMISSIONS_POLICY,
    })
  const securityHeaders: Record<'app' | 'shareHost', Record<'tls' | 'plain', MiddlewareHandler>> = {
    app: { tls: headers('app', true), plain: headers('app', false) },
    shareHost: { tls: headers('shareHost', true), plain: headers('shareHost', false) },
  }

  const app = new Hono()
  app.use('*', async (c: Context<Env, string>, next) => {
    const kind = isShareHostPath(c.req.path) ? 'shareHost' : 'app'
    const tls = reachedOverTls(c, config)
    await securityHeaders[kind][tls ? 'tls' : 'plain'](c, next)
    // The share host on its own sends it always; here one rule holds for the whole origin.
    if (!tls) c.res.headers.delete('Strict-Transport-Security')
    c.header('Cache-Control', kind === 'shareHost' ? NEVER_STORE : isHashedAsset(c.req.path) && c.res.ok ? IMMUTABLE : REVALIDATE)
  })

  // The share host sees the request as it came (body, headers, the Node socket for its rate limit).
  app.use('*', async (c, next) => (isShareHostPath(c.req.path) ? shareHost.fetch(c.req.raw, c.env) : next()))

  app.use('*', serveStatic({ root: built.root }))
  app.get('*', async (c, next) => {
    if (c.req.path.startsWith('/assets/') || /\.[A-Za-z0-9]+$/.test(c.req.path)) return c.text('Not found', 404)
    return next()
  })
  app.get('*', serveStatic({ root: built.root, path: 'index.html' }))
  app.get('*', (c) => c.text('Not found', 404))
  app.all('*', (c) => c.text('Method not allowed', 405, { Allow: 'GET, HEAD' }))
  return app
}

/** Hono's option type wants arrays it may change; give it copies. */
function copy(directives: Readonly<Record<string, readonly string[]>>): SecureHeadersOptions['contentSecurityPolicy'] {
  return Object.fromEntries(Object.entries(directives).map(([name, sources]) => [name, [...sources]]))
}

/**
 * Starts `npm start`'s server: the share host's checks and listener (serve.ts) with the built
 * app around it. Resolves once it listens.
 */
export function startProductionServer(config: ProductionConfig, deps: ShareHostDeps = {}): Promise<RunningShareHost> {
  return startShareHost(config.shareHost, deps, (shareHost) => createProductionApp(config.shareHost, { distDir: config.distDir, shareHost }))
}
