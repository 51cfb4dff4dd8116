import { rm } from 'node:fs/promises'
import { build } from 'vite'
import { startProductionServer } from '../server/src/production.ts'
import { startBackend } from '../scripts/lib/stack.ts'
import { toolViteCacheDir } from '../scripts/lib/viteCache.ts'

// One folder per run, so that several test runs on one machine do not overwrite each other's build.
const E2E_DIST = `.carekey/e2e-dist-${process.pid}`

/**
 * Brings up the whole stack for the end-to-end tests: anvil with fresh contracts, then a
 * production build of the app served together with the share host by `npm start`'s server
 * (server/src/production.ts), on one free port: every journey runs under the real headers.
 * Tests read the addresses from CAREKEY_E2E_* variables.
 */
export default async function globalSetup() {
  await rm(E2E_DIST, { recursive: true, force: true })
  const backend = await startBackend({
    // Every test's browser reaches the host from one address: the per-client limit on backup
    // requests would make tests running side by side wait on each other's uploads.
    shareHostEnv: { CAREKEY_BACKUP_RATE_LIMIT: '0' },
    serveShareHost: async (config, appEnv) => {
      // The app's share host is this server's own address (appEnv.CAREKEY_SHARE_HOST_URL).
      Object.assign(process.env, appEnv)
      await build({ logLevel: 'warn', cacheDir: toolViteCacheDir('e2e'), build: { outDir: E2E_DIST, emptyOutDir: true } })
      return startProductionServer({ shareHost: config, distDir: E2E_DIST })
    },
  })
  Object.assign(process.env, {
    CAREKEY_E2E_BASE_URL: backend.shareHostUrl,
    CAREKEY_E2E_RPC_URL: backend.chain.rpcUrl,
    CAREKEY_E2E_REGISTRY: backend.deployment.consentRegistry,
    CAREKEY_E2E_SHARE_HOST_URL: backend.shareHostUrl,
    // The share host's sponsor relay is at <share host>/api/relay; this account pays for it.
    CAREKEY_E2E_SPONSOR_ADDRESS: backend.sponsor,
    // What the share host stores, on disk: tests scan it for anything that must never be there.
    CAREKEY_E2E_SHARE_HOST_DATA_DIR: backend.shareHostDataDir,
  })
  return async () => {
    await backend.stop()
    await rm(E2E_DIST, { recursive: true, force: true })
  }
}
