/**
 * `npm run dev`: the whole local stack in one command.
 *   1. compiles the contracts (solc-js) if their sources changed,
 *   2. starts an anvil chain and deploys the contracts (addresses to contracts/deployments/local.json),
 *   3. starts the share host,
 *   4. starts the Vite dev server and prints the URL to open.
 * Ctrl-C stops everything it started.
 */
import { createServer } from 'vite'
import { assertPortFree, PortInUseError } from './lib/ports.ts'
import { writeIfChanged } from './lib/files.ts'
import { compileContracts } from '../contracts/build.ts'

const ports = {
  chain: Number(process.env.CAREKEY_CHAIN_PORT ?? 8545),
  shareHost: Number(process.env.CAREKEY_SHARE_HOST_PORT ?? 8787),
  app: Number(process.env.CAREKEY_APP_PORT ?? 5173),
}

const stops: (() => Promise<void>)[] = []
let stopping = false

async function stopAll(code: number) {
  if (stopping) return
  stopping = true
  for (const stop of stops.reverse()) {
    try {
      await stop()
    } catch {
      // Keep stopping the rest.
    }
  }
  process.exit(code)
}
process.on('SIGINT', () => void stopAll(0))
process.on('SIGTERM', () => void stopAll(0))

async function main() {
  await assertPortFree('local chain (anvil)', ports.chain, 'CAREKEY_CHAIN_PORT')
  await assertPortFree('share host', ports.shareHost, 'CAREKEY_SHARE_HOST_PORT')
  await assertPortFree('app (Vite)', ports.app, 'CAREKEY_APP_PORT')

  const modules = compileContracts()
  for (const [file, text] of modules) writeIfChanged(new URL(`../contracts/generated/${file}`, import.meta.url).pathname, text)

  // Imported after compiling, so that the deploy uses the contracts just built.
  const { startBackend } = await import('./lib/stack.ts')
  const backend = await startBackend({
    chainPort: ports.chain,
    shareHostPort: ports.shareHost,
    shareHostDataDir: '.carekey/share-host',
  })
  stops.push(() => backend.stop())
  const { deployment, env, shareHostUrl } = backend
  const rpcUrl = backend.chain.rpcUrl
  // The app's and the share host's defaults. Addresses on a fresh anvil are always the same,
  // so this file only changes when the contracts or the default port do.
  if (ports.chain === 8545) {
    writeIfChanged(
      new URL('../contracts/deployments/local.json', import.meta.url).pathname,
      `${JSON.stringify({ ...deployment, rpcUrl }, null, 2)}\n`,
    )
  }

  Object.assign(process.env, env)
  // Tests start this script beside a developer's own `npm run dev`: they give it a cache folder of
  // its own (scripts/lib/viteCache.ts). Read here, and kept out of the app's CAREKEY_* variables.
  const cacheDir = process.env.CAREKEY_VITE_CACHE_DIR || undefined
  delete process.env.CAREKEY_VITE_CACHE_DIR
  const vite = await createServer({ cacheDir, server: { port: ports.app, strictPort: true, host: 'localhost' } })
  await vite.listen()
  stops.push(() => vite.close())

  console.log(`
  CareKey is running.

    App          http://localhost:${ports.app}/
    Share host   ${shareHostUrl}
    Chain        ${rpcUrl} (anvil, chain id ${deployment.chainId})
    Registry     ${deployment.consentRegistry}
    Credentials  ${deployment.credentialRegistry} (licensing body: anvil account 8, ${deployment.credentialIssuers.join(', ')})
    Prescriptions ${deployment.prescriptionRegistry}

  Press Ctrl-C to stop everything.
`)
}

main().catch(async (error: unknown) => {
  if (error instanceof PortInUseError) console.error(`\n  ${error.message}\n`)
  else console.error(error)
  await stopAll(1)
})
