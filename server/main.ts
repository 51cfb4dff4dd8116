/**
 * Runs the share host on its own: `npm run server`. Configuration comes from the environment
 * (see README, "Configuration"); on the local development chain the defaults come from
 * contracts/deployments/local.json, elsewhere from the file CAREKEY_DEPLOYMENT names.
 */
import { readFileSync } from 'node:fs'
import { readShareHostConfig } from './src/config.ts'
import { startShareHost } from './src/serve.ts'

function localDefaults(): Record<string, string> {
  try {
    const local = JSON.parse(readFileSync(new URL('../contracts/deployments/local.json', import.meta.url), 'utf8')) as {
      chainId: number
      consentRegistry: string
      rpcUrl: string
    }
    return { CAREKEY_CHAIN_ID: String(local.chainId), CAREKEY_CONSENT_REGISTRY: local.consentRegistry, CAREKEY_RPC_URL: local.rpcUrl }
  } catch {
    return {}
  }
}

try {
  // A deployment file (CAREKEY_DEPLOYMENT) replaces the local chain's defaults.
  const config = readShareHostConfig({ ...(process.env.CAREKEY_DEPLOYMENT ? {} : localDefaults()), ...process.env })
  const host = await startShareHost(config)
  console.log(`CareKey share host listening on ${host.url} (chain ${config.chainId})`)
  const stop = () => void host.close().then(() => process.exit(0))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
} catch (error) {
  const e = error as NodeJS.ErrnoException
  if (e.code === 'EADDRINUSE') {
    console.error(`The share host's port is already in use. Set CAREKEY_SHARE_HOST_PORT to another port.`)
  } else {
    console.error(e.message)
  }
  process.exit(1)
}
