import { Hono } from 'hono'
import { cors } from 'hono/cors'
import { createMiddleware } from 'hono/factory'
import { routePath } from 'hono/route'
import { secureHeaders } from 'hono/secure-headers'
import { ChainUnavailableError, registryGrantStatusReader, type GrantStatusReader } from './chain/grantStatus.ts'
import type { ShareHostConfig } from './config.ts'
import { fail, type HostContext } from './context.ts'
import { FileLocations } from './fileLocations.ts'
import { BACKUP_SHA256_HEADER, backupRoutes } from './http/backupRoutes.ts'
import { managementRoutes } from './http/managementRoutes.ts'
import { rateLimit } from './http/rateLimit.ts'
import { relayRoutes } from './http/relayRoutes.ts'
import { shlRoutes } from './http/shlRoutes.ts'
import { sponsorRelayFromConfig, type SponsorRelay } from './relay/relay.ts'
import { ServingCache } from './servingCache.ts'
import { shareStoreFromConfig } from './storage/openShareStore.ts'
import type { ShareStore } from './storage/shareStore.ts'
import { StorageUnavailableError } from './storage/sql/database.ts'

/** Parts a test (or another deployment) can swap: storage, the chain reader and the clock. */
export type ShareHostDeps = {
  store?: ShareStore
  grants?: GrantStatusReader
  /** Unix milliseconds. */
  clock?: () => number
  /** The sponsor relay; by default one from the configuration (none without a sponsor key). */
  relay?: SponsorRelay
}

/**
 * Builds the share host's HTTP application: the SMART Health Links routes (manifest, files),
 * the patient's signed management routes, the sponsor relay, wallets' online backups, and
 * /health. See README, "Share host".
 */
export function createShareHostApp(config: ShareHostConfig, deps: ShareHostDeps = {}) {
  const clock = deps.clock ?? Date.now
  const store = deps.store ?? shareStoreFromConfig(config)
  const ctx: HostContext = {
    config,
    store,
    grants:
      deps.grants ??
      registryGrantStatusReader({ rpcUrl: config.rpcUrl, registry: config.consentRegistry, blockTtlMs: config.blockTtlMs, clock }),
    clock,
    locations: new FileLocations(config.publicUrl, () => store.secret('file-locations')),
    signatures: { chainId: config.chainId, registry: config.consentRegistry, host: config.publicUrl, store, clock },
    serving: new ServingCache(store, config.blockTtlMs, clock),
    relay: deps.relay ?? sponsorRelayFromConfig(config, clock, store),
  }

  const app = new Hono()
  if (config.logRequests) {
    app.use(
      createMiddleware(async (c, next) => {
        const start = performance.now()
        await next()
        // The route pattern, never the path: paths hold share ids, which are secrets.
        console.log(`${c.req.method} ${routePath(c, -1)} ${c.res.status} ${Math.round(performance.now() - start)}ms`)
      }),
    )
  }
  app.use('*', secureHeaders({ crossOriginResourcePolicy: 'cross-origin' }))
  // SMART Health Links viewers run on any origin: the host serves ciphertext only, so CORS is open.
  app.use(
    '*',
    cors({
      origin: '*',
      allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
      allowHeaders: ['Content-Type', 'Authorization'],
      exposeHeaders: ['Retry-After', BACKUP_SHA256_HEADER],
      maxAge: 600,
    }),
  )

  app.get('/health', (c) => c.json({ status: 'ok', chainId: config.chainId, consentRegistry: config.consentRegistry }))

  app.use('*', rateLimit({ perMinute: config.rateLimitPerMinute, trustedProxyHops: config.trustedProxyHops, clock }))
  app.use('*', async (_c, next) => {
    // Migrations run once per store (startShareHost runs them at start); if the database was down, the next request tries again.
    await store.init()
    await next()
  })
  app.route('/', shlRoutes(ctx))
  app.route('/', managementRoutes(ctx))
  app.route('/', relayRoutes(ctx))
  app.route('/', backupRoutes(ctx))

  app.notFound((c) => fail(c, 404, 'not_found'))
  app.onError((err, c) => {
    if (err instanceof ChainUnavailableError) {
      console.error(`share host: the chain did not answer (${routePath(c, -1)})`)
      c.header('Retry-After', '5')
      return fail(c, 503, 'chain_unavailable', 'the chain could not be read; try again shortly')
    }
    if (err instanceof StorageUnavailableError) {
      console.error(`share host: the database did not answer (${routePath(c, -1)})`)
      c.header('Retry-After', '5')
      return fail(c, 503, 'storage_unavailable', 'the share host cannot reach its database; nothing was changed; try again shortly')
    }
    // Log the error class only: messages can echo request content.
    console.error(`share host: ${err.name} on ${c.req.method} ${routePath(c, -1)}`)
    return fail(c, 500, 'internal_error')
  })
  return app
}
