import { Suspense, use, useEffect } from 'react'
import { useQueryClient } from '@tanstack/react-query'
import { useConnect, useConnection, useConnectors, WagmiProvider } from 'wagmi'
import { createCareKeyWagmiConfig, LOCAL_WALLET_CONNECTOR_ID } from '../chain/index.ts'
import { keyring, lockWallet, useAutoLock, useAutoLockMinutes } from '../features/wallet/index.ts'
import { Button } from '../ui/Button.tsx'
import { Page } from '../ui/Page.tsx'
import { appConfig, restoreLastKnownReads, ScreenLoading } from '../platform/index.ts'
import { lastKnownReadsStore } from './lastKnownReadsStore.ts'
import { Layout } from './Layout.tsx'
import { Link, matchRoute, Redirect, usePathname } from '../platform/router.tsx'
import { HOME_PATH, unlockedNav, unlockedRoutes } from './routes.tsx'

// Made once, when the unlocked app's chunk loads; it signs with whatever keys the keyring holds.
const wagmiConfig = createCareKeyWagmiConfig(appConfig.chain, keyring)

/**
 * Everything behind the unlock: wagmi, the main navigation and the wallet's screens. Loaded
 * only after the wallet is unlocked, so the first screen stays small.
 */
export default function UnlockedApp() {
  // Chain reads start from their last known values (shown offline with the time they were read).
  use(restoreLastKnownReads(useQueryClient(), lastKnownReadsStore))
  const autoLock = useAutoLockMinutes()
  useAutoLock(autoLock.data)
  return (
    <WagmiProvider config={wagmiConfig}>
      <ConnectLocalWallet />
      <Layout
        nav={unlockedNav}
        headerAction={
          <Button variant="secondary" onClick={() => lockWallet()}>
            Lock
          </Button>
        }
      >
        <Suspense fallback={<ScreenLoading />}>
          <UnlockedRoutes />
        </Suspense>
      </Layout>
    </WagmiProvider>
  )
}

function UnlockedRoutes() {
  const pathname = usePathname()
  if (pathname === '/' || pathname === '/create' || pathname === '/restore') return <Redirect to={HOME_PATH} />
  const match = matchRoute(pathname, unlockedRoutes)
  if (!match) return <NotFound />
  const Screen = match.route
  return <Screen rest={match.rest} />
}

/** Signs with the patient's own key unless they chose a browser wallet. */
function ConnectLocalWallet() {
  const { status } = useConnection()
  const connectors = useConnectors()
  const { mutate: connect } = useConnect()
  const local = connectors.find((c) => c.id === LOCAL_WALLET_CONNECTOR_ID)
  useEffect(() => {
    if (status === 'disconnected' && local) connect({ connector: local })
  }, [status, local, connect])
  return null
}

function NotFound() {
  return (
    <Page title="Page not found" description="There is no CareKey screen at this address.">
      <Link to="/" className="font-semibold text-teal-800 underline dark:text-teal-300">
        Go to the start
      </Link>
    </Page>
  )
}
