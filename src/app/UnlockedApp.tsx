import { Suspense, useEffect } from 'react'
import { useQueryClient } from '@tanstack/react-query'
import { useConnect, useConnection, useConnectors, WagmiProvider } from 'wagmi'
import { createCareKeyWagmiConfig, LOCAL_WALLET_CONNECTOR_ID } from '../chain/index.ts'
import { BackupReminder, startAutoBackup } from '../features/backup/index.ts'
import { keyring, lockWallet, useAutoLock, useAutoLockMinutes, useWalletKeys } from '../features/wallet/index.ts'
import { Button } from '../ui/Button.tsx'
import { appConfig, keepLastKnownReads, restoreLastKnownReads, ScreenLoading } from '../platform/index.ts'
import { forgetUnencryptedLastKnownReads, lastKnownReadsStoreFor } from './lastKnownReadsStore.ts'
import { Layout } from './Layout.tsx'
import { Navigate, Outlet, useMatchRoute } from '@tanstack/react-router'
import { HOME_PATH, unlockedNav } from './nav.ts'

// Made once, when the unlocked app's chunk loads; it signs with whatever keys the keyring holds.
const wagmiConfig = createCareKeyWagmiConfig(appConfig.chain, keyring)

/**
 * Everything behind the unlock: wagmi, the main navigation and the wallet's screens. Loaded
 * only after the wallet is unlocked, so the first screen stays small.
 */
export default function UnlockedApp() {
  const queryClient = useQueryClient()
  const keys = useWalletKeys()
  const lastKnownReads = keys && lastKnownReadsStoreFor(keys)
  // Chain reads start from their last known values (shown offline with the time they were read),
  // decrypted with the wallet, and each new read is kept, encrypted, while it stays unlocked. The
  // screens do not wait for them (waiting added about a third of a second to every unlock): they
  // fill in as soon as they are decrypted, and a value read from the chain meanwhile is kept.
  if (lastKnownReads) void restoreLastKnownReads(queryClient, lastKnownReads)
  // What an older version kept unencrypted goes at the first unlock (here, so that the first
  // screen's code does not carry the wallet's storage and keys).
  useEffect(() => void forgetUnencryptedLastKnownReads(), [])
  useEffect(() => {
    if (!keys || !lastKnownReads) return
    const stop = keepLastKnownReads(queryClient, { store: lastKnownReads, isUnlocked: () => keyring.get() === keys })
    return () => void stop()
  }, [queryClient, keys, lastKnownReads])
  // The online backup follows local changes while the wallet stays unlocked.
  useEffect(() => (keys ? startAutoBackup(keys, queryClient) : undefined), [queryClient, keys])
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
        <Suspense fallback={null}>
          <BackupReminder />
        </Suspense>
        <Suspense fallback={<ScreenLoading />}>
          <UnlockedRoutes />
        </Suspense>
      </Layout>
    </WagmiProvider>
  )
}

/**
 * The matched wallet screen; creating or restoring a wallet has no place once one is unlocked. A
 * wallet just restored from its phrase goes on to restoring its records from the online backup.
 */
function UnlockedRoutes() {
  const matchRoute = useMatchRoute()
  if (matchRoute({ to: '/create' })) return <Navigate to={HOME_PATH} replace />
  if (matchRoute({ to: '/restore' })) return <Navigate to="/backup/restore" replace />
  return <Outlet />
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
