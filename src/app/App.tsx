import { useEffect, useState } from 'react'
import { RouterProvider, type RouterHistory } from '@tanstack/react-router'
import { AppQueryProvider } from './AppQueryProvider.tsx'
import { ChangedInAnotherTabScreen, useChangedInAnotherTab } from './ChangedInAnotherTab.tsx'
import { ErrorBoundary } from './ErrorBoundary.tsx'
import { createAppQueryClient } from './queryClient.ts'
import { createAppRouter } from './router.tsx'
import { followScreenHeadings } from '../platform/index.ts'

/**
 * CareKey: the query client and the router over the route table (`routes.tsx`). The browser's
 * history unless one is given (tests pass a memory history). Focus follows the screen: each new
 * screen's heading takes it (`followScreenHeadings`).
 */
export function App({ history }: { history?: RouterHistory }) {
  const [queryClient] = useState(createAppQueryClient)
  const [router] = useState(() => createAppRouter(history))
  useEffect(() => followScreenHeadings(router), [router])
  const changedInAnotherTab = useChangedInAnotherTab(queryClient)
  if (changedInAnotherTab) return <ChangedInAnotherTabScreen />
  return (
    <ErrorBoundary>
      <AppQueryProvider client={queryClient}>
        <RouterProvider router={router} />
      </AppQueryProvider>
    </ErrorBoundary>
  )
}
