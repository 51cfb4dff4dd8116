import { render } from '@testing-library/react'
import { createMemoryHistory, createRootRoute, createRoute, createRouter, Outlet, RouterProvider } from '@tanstack/react-router'
import type { ReactNode } from 'react'

/**
 * Renders `ui` at '/' in a router of its own, so that its links work, with every other address
 * it may lead to showing "Screen at <path>". Resolves once the first screen is shown.
 *
 * @example
 * const { history } = await renderInRouter(<BackupReminderBanner … />, ['/records/backup'])
 * await user.click(screen.getByRole('link', { name: 'Back up now' }))
 * expect(history.location.pathname).toBe('/records/backup')
 */
export async function renderInRouter(ui: ReactNode, otherPaths: readonly string[] = []) {
  const root = createRootRoute({ component: Outlet })
  const routeTree = root.addChildren([
    createRoute({ getParentRoute: () => root, path: '/', component: () => ui }),
    ...otherPaths.map((path) => createRoute({ getParentRoute: () => root, path, component: () => <p>Screen at {path}</p> })),
  ])
  const history = createMemoryHistory({ initialEntries: ['/'] })
  const router = createRouter({ routeTree, history })
  await router.load()
  const rendered = render(<RouterProvider router={router} />)
  return { ...rendered, history, router }
}
