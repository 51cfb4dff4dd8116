import { serve, type ServerType } from '@hono/node-server'
import { mkdir } from 'node:fs/promises'
import { createShareHostApp } from './app.ts'
import type { ShareHostConfig } from './config.ts'

export type RunningShareHost = {
  readonly url: string
  readonly port: number
  close(): Promise<void>
}

/** Starts the share host and resolves once it listens. */
export async function startShareHost(config: ShareHostConfig): Promise<RunningShareHost> {
  await mkdir(config.dataDir, { recursive: true })
  const app = createShareHostApp(config)
  return new Promise((resolve, reject) => {
    let server: ServerType | undefined
    try {
      server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
        const running = server
        if (!running) return
        resolve({
          url: config.publicUrl,
          port: info.port,
          close: () => new Promise<void>((done) => running.close(() => done())),
        })
      })
      server.once('error', (error: Error) => reject(error))
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)))
    }
  })
}
