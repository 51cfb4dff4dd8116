import { createBrowserHistory, createRouter, type RouterHistory } from '@tanstack/react-router'
import { ScreenLoading } from '../platform/index.ts'
import { routeTree } from './routes.tsx'

/**
 * CareKey's router over the route table. The browser's history by default; tests pass a
 * memory history.
 *
 * @example
 * const router = createAppRouter(createMemoryHistory({ initialEntries: ['/consent'] }))
 */
export function createAppRouter(history: RouterHistory = createBrowserHistory()) {
  return createRouter({
    routeTree,
    history,
    defaultPendingComponent: ScreenLoading,
    scrollRestoration: true,
    // Scroll positions are kept per history entry, never by address: the address may hold a
    // SMART Health Link in its fragment, which must not be written anywhere.
    getScrollRestorationKey: (location) => location.state.__TSR_key ?? location.pathname,
  })
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof createAppRouter>
  }
}
