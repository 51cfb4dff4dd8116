import { serve, type ServerType } from '@hono/node-server'
import type { Hono } from 'hono'
import { mkdir } from 'node:fs/promises'
import { createPublicClient, http } from 'viem'
import { createShareHostApp, type ShareHostDeps } from './app.ts'
import type { ShareHostConfig } from './config.ts'

export type RunningShareHost = {
  readonly url: string
  readonly port: number
  close(): Promise<void>
}

/**
 * Starts the share host and resolves once it listens. Refuses to start against a chain whose
 * id differs from the configured one; a chain that does not answer yet only gets a warning
 * (manifests answer 503 until it does). `around` serves more than the share host from the same
 * process: `npm start` puts the built app around it (production.ts).
 */
export async function startShareHost(
  config: ShareHostConfig,
  deps: ShareHostDeps = {},
  around: (shareHost: Hono) => Hono = (shareHost) => shareHost,
): Promise<RunningShareHost> {
  await mkdir(config.dataDir, { recursive: true })
  if (!deps.grants) await checkChain(config)
  const app = around(createShareHostApp(config, deps))
  return new Promise((resolve, reject) => {
    let server: ServerType | undefined
    try {
      server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
        const running = server
        if (!running) return
        resolve({
          url: config.publicUrl,
          port: info.port,
          close: () =>
            new Promise<void>((done) => {
              running.close(() => done())
              // Keep-alive connections of viewers would otherwise hold the close open.
              if ('closeAllConnections' in running) running.closeAllConnections()
            }),
        })
      })
      server.once('error', (error: Error) => reject(error))
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
