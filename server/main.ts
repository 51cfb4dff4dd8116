/**
 * Runs the share host on its own: `npm run server`. Configuration comes from the environment
 * (see README, "Configuration"); on the local development chain the defaults come from
 * contracts/deployments/local.json, elsewhere from the file CAREKEY_DEPLOYMENT names.
 */
import { readShareHostConfig } from './src/config.ts'
import { localChainDefaults } from './src/localChain.ts'
import { startShareHost } from './src/serve.ts'

try {
  // A deployment file (CAREKEY_DEPLOYMENT) replaces the local chain's defaults.
  const config = readShareHostConfig({ ...(process.env.CAREKEY_DEPLOYMENT ? {} : localChainDefaults()), ...process.env })
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
