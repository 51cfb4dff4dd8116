import { rm } from 'node:fs/promises'
import { build, preview } from 'vite'
import { freePort } from '../scripts/lib/ports.ts'
import { startBackend } from '../scripts/lib/stack.ts'

// One folder per run, so that several test runs on one machine do not overwrite each other's build.
const E2E_DIST = `.carekey/e2e-dist-${process.pid}`

/**
 * Brings up the whole stack for the end-to-end tests: anvil with fresh contracts, the share
 * host, and a production build of the app served by `vite preview`, each on a free port.
 * Tests read the addresses from CAREKEY_E2E_* variables.
 */
export default async function globalSetup() {
  const backend = await startBackend()
  Object.assign(process.env, backend.env)
  await rm(E2E_DIST, { recursive: true, force: true })
  await build({ logLevel: 'warn', build: { outDir: E2E_DIST, emptyOutDir: true, sourcemap: false } })
  const port = await freePort()
  const server = await preview({ logLevel: 'warn', build: { outDir: E2E_DIST }, preview: { port, strictPort: true, host: 'localhost' } })
  const baseUrl = `http://localhost:${port}`
  Object.assign(process.env, {
    CAREKEY_E2E_BASE_URL: baseUrl,
    CAREKEY_E2E_RPC_URL: backend.chain.rpcUrl,
    CAREKEY_E2E_REGISTRY: backend.deployment.consentRegistry,
    CAREKEY_E2E_SHARE_HOST_URL: backend.shareHostUrl,
    // The share host's sponsor relay is at <share host>/api/relay; this account pays for it.
    CAREKEY_E2E_SPONSOR_ADDRESS: backend.sponsor,
  })
  return async () => {
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()))
    await backend.stop()
    await rm(E2E_DIST, { recursive: true, force: true })
  }
}
