/**
 * Serves CareKey in production: `npm start`. One process answers for the built app (`dist/`,
 * from `npm run build`, which this does not run) and the share host, on one origin, with the
 * security headers and caching rules of server/src/production.ts. Configuration comes from the
 * environment (see README, "Serving the app and the share host together").
 */
import { localChainDefaults } from './src/localChain.ts'
import { startProductionServer } from './src/production.ts'
import { readProductionConfig } from './src/productionConfig.ts'

try {
  // A deployment file (CAREKEY_DEPLOYMENT) replaces the local chain's defaults.
  const config = readProductionConfig({ ...(process.env.CAREKEY_DEPLOYMENT ? {} : localChainDefaults()), ...process.env })
  const server = await startProductionServer(config)
  console.log(`CareKey listening on ${server.url}: the app from ${config.distDir} and the share host (chain ${config.shareHost.chainId})`)
  const stop = () => void server.close().then(() => process.exit(0))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
} catch (error) {
  const e = error as NodeJS.ErrnoException
  if (e.code === 'EADDRINUSE') {
    console.error(`CareKey's port is already in use. Set CAREKEY_SHARE_HOST_PORT to another port.`)
  } else {
    console.error(e.message)
  }
  process.exit(1)
}
