import { serve, type ServerType } from '@hono/node-server'
import type { Hono } from 'hono'
import { mkdir } from 'node:fs/promises'
import { createPublicClient, http } from 'viem'
import { createShareHostApp, type ShareHostDeps } from './app.ts'
import type { ShareHostConfig } from './config.ts'
import { shareStoreFromConfig } from './storage/openShareStore.ts'
import { StorageUnavailableError } from './storage/sql/database.ts'

export type RunningShareHost = {
  readonly url: string
  readonly port: number
  close(): Promise<void>
}

/**
/**
 * Starts the share host and resolves once it listens. Migrates its database first; refuses to
 * start against a chain whose id differs from the configured one, or a database a newer host
 * migrated. A chain or a database that does not answer yet only gets a warning (requests that
 * need it answer 503 until it does). `around` serves more than the share host from the same
 * process: `npm start` puts the built app around it (production.ts).
 */
export async function startShareHost(
  config: ShareHostConfig,
  deps: ShareHostDeps = {},
  around: (shareHost: Hono) => Hono = (shareHost) => shareHost,
): Promise<RunningShareHost> {
  if (!config.databaseUrl) await mkdir(config.dataDir, { recursive: true })
  if (!deps.grants) await checkChain(config)
  const store = deps.store ?? shareStoreFromConfig(config)
  try {
    await store.init()
  } catch (error) {
    if (!(error instanceof StorageUnavailableError)) {
      await store.close().catch(() => undefined)
      throw error
    }
    // The URL itself is not printed: it may hold a password.
    console.warn('share host: the database (CAREKEY_SHARE_HOST_DATABASE_URL) does not answer yet; requests answer 503 until it does.')
  }
  const app = around(createShareHostApp(config, { ...deps, store }))
  return new Promise((resolve, reject) => {
    let server: ServerType | undefined
    try {
      server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
        const running = server
        if (!running) return
        resolve({
          url: config.publicUrl,
          port: info.port,
          close: async () => {
            await new Promise<void>((done) => {
              running.close(() => done())
              // Keep-alive connections of viewers would otherwise hold the close open.
              if ('closeAllConnections' in running) running.closeAllConnections()
            })
            // A store the caller passed in is the caller's to close.
            if (!deps.store) await store.close()
          },
        })
      })
      server.once('error', (error: Error) => {
        // Not listening (the port is taken): a store opened here is closed again.
        if (!deps.store) void store.close().catch(() => undefined)
        reject(error)
      })
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)))
    }
  })
}

async function checkChain(config: ShareHostConfig): Promise<void> {
  const client = createPublicClient({ transport: http(config.rpcUrl, { retryCount: 0, timeout: 5_000 }) })
  let chainId: number
  try {
    chainId = await client.getChainId()
  } catch {
    // The URL itself is not printed: RPC URLs often carry an API key.
    console.warn('share host: the chain (CAREKEY_RPC_URL) does not answer yet; manifests answer 503 until it does.')
    return
  }
  if (chainId !== config.chainId) {
    throw new Error(`The chain at CAREKEY_RPC_URL has chain id ${chainId}, but CAREKEY_CHAIN_ID says ${config.chainId}.`)
  }
}
