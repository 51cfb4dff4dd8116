import { lazy, Suspense } from 'react'
import { Outlet, useMatchRoute } from '@tanstack/react-router'
import { UnlockScreen, useWalletKeys, useWalletPresence, WelcomeScreen } from '../features/wallet/index.ts'
import { ErrorMessage } from '../ui/ErrorMessage.tsx'
import { Page } from '../ui/Page.tsx'
import { appConfigError, ScreenLoading } from '../platform/index.ts'
import { Link } from '../platform/router.tsx'
import { Layout } from './Layout.tsx'

const loadUnlockedApp = () => import('./UnlockedApp.tsx')
const UnlockedApp = lazy(loadUnlockedApp)

/** Every screen: a configuration problem stops everything, else the matched area. */
export function RootArea() {
  if (appConfigError) {
    return (
      <Layout>
        <Page title="CareKey is not configured correctly">
          <pre className="whitespace-pre-wrap">{appConfigError.message}</pre>
        </Page>
      </Layout>
    )
  }
  return <Outlet />
}

/** Screens anyone can open, with or without a wallet: the clinician's scanner and viewer. */
export function PublicArea() {
  return (
    <Layout>
      <Outlet />
    </Layout>
  )
}

/**
 * The patient's side, the only area that opens the wallet's storage. While locked it shows
 * welcome (create and restore) without a wallet and unlock (or remove) with one, whatever the
 * address; the address's own screen follows the unlock. Unlocked, the unlocked app.
 */
export function WalletArea() {
  return <WalletGate />
}

function WalletGate() {
  const presence = useWalletPresence()
  const keys = useWalletKeys()
  const matchRoute = useMatchRoute()

  if (presence.isPending) return <Layout><ScreenLoading /></Layout>
  if (presence.isError) {
    return (
      <Layout>
        <Page title="CareKey cannot open its storage">
          <ErrorMessage error={presence.error} />
        </Page>
      </Layout>
    )
  }

  if (keys) {
    return (
      <Suspense fallback={<Layout><ScreenLoading /></Layout>}>
        <UnlockedApp />
      </Suspense>
    )
  }

  const screen =
    presence.data === 'absent' ? (
      matchRoute({ to: '/create' }) || matchRoute({ to: '/restore' }) ? <Outlet /> : <WelcomeScreen />
    ) : matchRoute({ to: '/remove' }) ? (
      <Outlet />
    ) : (
      // Start loading the unlocked app while the passphrase is being checked.
      <UnlockScreen onUnlockStart={() => void loadUnlockedApp()} />
    )
  return (
    <Layout>
      <Suspense fallback={<ScreenLoading />}>{screen}</Suspense>
    </Layout>
  )
}

/** Any address without a screen of its own. */
export function NotFound() {
  return (
    <Page title="Page not found" description="There is no CareKey screen at this address.">
      <Link to="/" className="font-semibold text-teal-800 underline dark:text-teal-300">
        Go to the start
      </Link>
    </Page>
  )
}
