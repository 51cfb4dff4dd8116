import { useEffect, type ReactNode } from 'react'
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query'
import { wipeCachesOnLock } from '../features/wallet/index.ts'

/**
 * The app's query client for everything below, wiped of everything private at every lock and at
 * the removal of the wallet (wipeCachesOnLock).
 */
export function AppQueryProvider({ client, children }: { client: QueryClient; children: ReactNode }) {
  useEffect(() => wipeCachesOnLock(client), [client])
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>
}
