import { lazy, Suspense, useEffect, useState } from 'react'
import { QueryClientProvider, useQueryClient } from '@tanstack/react-query'
import {
  CreateWalletScreen,
  keyring,
  RemoveWalletScreen,
  RestoreWalletScreen,
  UnlockScreen,
  useWalletKeys,
  useWalletPresence,
  WelcomeScreen,
} from '../features/wallet/index.ts'
import { ErrorMessage } from '../ui/ErrorMessage.tsx'
import { Page } from '../ui/Page.tsx'
import { appConfigError } from '../platform/config.ts'
import { ErrorBoundary } from './ErrorBoundary.tsx'
import { lastKnownReadsStore } from './lastKnownReadsStore.ts'
import { Layout } from './Layout.tsx'
import { ScreenLoading } from '../platform/index.ts'
import { keepLastKnownReads, restoreLastKnownReads } from '../platform/index.ts'
import { createAppQueryClient } from './queryClient.ts'
import { matchRoute, usePathname } from '../platform/router.tsx'
import { publicRoutes } from './routes.tsx'

const loadUnlockedApp = () => import('./UnlockedApp.tsx')
const UnlockedApp = lazy(loadUnlockedApp)

export function App() {
  const [queryClient] = useState(createAppQueryClient)
  return (
    <ErrorBoundary>
      <QueryClientProvider client={queryClient}>
        <Shell />
      </QueryClientProvider>
    </ErrorBoundary>
  )
}

/**
 * Brings last known chain values back from the previous visit while the patient unlocks, and
 * keeps them. Rendered only on the wallet's screens: public screens never touch its storage.
 */
function LastKnownReads() {
  const queryClient = useQueryClient()
  useEffect(() => {
    void restoreLastKnownReads(queryClient, lastKnownReadsStore)
    const stop = keepLastKnownReads(queryClient, { store: lastKnownReadsStore, isUnlocked: () => keyring.get() !== undefined })
    return () => void stop()
  }, [queryClient])
  return null
}

/** Chooses what to show: a public screen, the wallet's gate (welcome, unlock), or the unlocked app. */
function Shell() {
  const pathname = usePathname()
  const publicMatch = matchRoute(pathname, publicRoutes)

  if (appConfigError) {
    return (
      <Layout>
        <Page title="CareKey is not configured correctly">
          <pre className="whitespace-pre-wrap">{appConfigError.message}</pre>
        </Page>
      </Layout>
    )
  }

  if (publicMatch) {
    const Screen = publicMatch.route
    return (
      <Layout>
        <Suspense fallback={<ScreenLoading />}>
          <Screen rest={publicMatch.rest} />
        </Suspense>
      </Layout>
    )
  }

  // Public screens (the clinician's) never open the wallet's storage: only these do.
  return (
    <>
      <LastKnownReads />
      <WalletArea pathname={pathname} />
    </>
  )
}

/** The patient's side: welcome and unlock while locked, else the unlocked app. */
function WalletArea({ pathname }: { pathname: string }) {
  const presence = useWalletPresence()
  const keys = useWalletKeys()

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
      pathname === '/create' ? <CreateWalletScreen /> : pathname === '/restore' ? <RestoreWalletScreen /> : <WelcomeScreen />
    ) : pathname === '/remove' ? (
      <RemoveWalletScreen />
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
