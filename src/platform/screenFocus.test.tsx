// @vitest-environment jsdom
import { lazy, Suspense, useState } from 'react'
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react'
import {
  createMemoryHistory,
  createRootRoute,
  createRoute,
  createRouter,
  Link,
  Outlet,
  RouterProvider,
  type AnyRouter,
} from '@tanstack/react-router'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { followScreenHeadings } from './screenFocus.ts'

let stop: (() => void) | undefined
let releaseLazy: () => void = () => undefined
const lazyGate = new Promise<void>((resolve) => (releaseLazy = resolve))
let lazyRequested = false

function Heading({ children }: { children: string }) {
  return <h1 tabIndex={-1}>{children}</h1>
}

/** A screen whose form gives way to its result without a navigation, as Unlock does. */
function Unlock() {
  const [open, setOpen] = useState(false)
  if (open) return <Heading>Records</Heading>
  return (
    <>
      <Heading>Unlock CareKey</Heading>
      <label>
        Passphrase <input />
      </label>
      <button type="button" onClick={() => setOpen(true)}>
        Unlock
      </button>
    </>
  )
}

/** A screen whose button goes once it has done its job, as Load sample data does. */
function LoadSample() {
  const [loaded, setLoaded] = useState(false)
  return (
    <>
      <Heading>Records</Heading>
      {loaded ? (
        <p>6 records</p>
      ) : (
        <button type="button" onClick={() => setLoaded(true)}>
          Load sample data
        </button>
      )}
    </>
  )
}

/** A screen that renames itself while the person types (a record's title loading, say). */
function Renaming() {
  const [title, setTitle] = useState('Draft')
  return (
    <>
      <Heading>{title}</Heading>
      <label>
        Name <input onChange={(e) => setTitle(e.target.value)} />
      </label>
    </>
  )
}

const Slow = lazy(() => {
  lazyRequested = true
  return lazyGate.then(() => ({ default: () => <Heading>Consents</Heading> }))
})

function buildRouter(path: string) {
  const root = createRootRoute({
    component: () => (
      <>
        <nav>
          {/* Paths of the app's route table, which types every Link. */}
          <Link to="/records">Go to A</Link> <Link to="/consent">Go to B</Link> <Link to="/share">Go to slow</Link>{' '}
          <Link to="/records" hash="latest">
            A, its latest
          </Link>
        </nav>
        <main>
          <Suspense fallback={<p role="status">Loading…</p>}>
            <Outlet />
          </Suspense>
        </main>
      </>
    ),
  })
  const routes = [
    createRoute({ getParentRoute: () => root, path: '/records', component: () => <Heading>Screen A</Heading> }),
    createRoute({ getParentRoute: () => root, path: '/consent', component: () => <Heading>Screen B</Heading> }),
    createRoute({ getParentRoute: () => root, path: '/share', component: Slow }),
    createRoute({ getParentRoute: () => root, path: '/unlock', component: Unlock }),
    createRoute({ getParentRoute: () => root, path: '/renaming', component: Renaming }),
    createRoute({ getParentRoute: () => root, path: '/sample', component: LoadSample }),
  ]
  return createRouter({ routeTree: root.addChildren(routes), history: createMemoryHistory({ initialEntries: [path] }) })
}

async function open(path: string): Promise<AnyRouter> {
  const router = buildRouter(path)
  stop = followScreenHeadings(router)
  render(<RouterProvider router={router} />)
  await screen.findByRole('heading', { level: 1 })
  return router
}

/** What a keyboard user does: a key on the focused element, then its activation. */
function press(element: HTMLElement) {
  fireEvent.keyDown(element, { key: 'Enter' })
  fireEvent.click(element)
}

const heading = (name: string) => screen.findByRole('heading', { level: 1, name })

beforeEach(() => {
  window.scrollTo = () => undefined
})
afterEach(() => {
  stop?.()
  cleanup()
})

describe('followScreenHeadings', () => {
  it('leaves focus alone on the first screen of a page load', async () => {
    await open('/records')
    expect(document.activeElement).toBe(document.body)
  })

  it('moves focus to the new screen’s heading after a navigation', async () => {
    await open('/records')
    const link = screen.getByRole('link', { name: 'Go to B' })
    link.focus()
    press(link)
    expect(await heading('Screen B')).toBe(document.activeElement)
  })

  it('waits for the heading of a screen that loads lazily', async () => {
    await open('/records')
    const link = screen.getByRole('link', { name: 'Go to slow' })
    link.focus()
    press(link)
    await vi.waitFor(() => expect(lazyRequested).toBe(true))
    expect(document.activeElement).toBe(link)
    await act(async () => releaseLazy())
    expect(await heading('Consents')).toBe(document.activeElement)
  })

  it('keeps focus on a link to another place on the same screen', async () => {
    const router = await open('/records')
    const link = screen.getByRole('link', { name: 'A, its latest' })
    link.focus()
    press(link)
    await vi.waitFor(() => expect(router.state.resolvedLocation?.hash).toBe('latest'))
    expect(document.activeElement).toBe(link)
  })

  it('moves focus to the screen that replaced the focused control without a navigation (unlocking)', async () => {
    await open('/unlock')
    const unlock = screen.getByRole('button', { name: 'Unlock' })
    unlock.focus()
    press(unlock)
    expect(await heading('Records')).toBe(document.activeElement)
  })

  it('gives focus to the screen’s heading when the focused control goes and the screen stays', async () => {
    await open('/sample')
    const load = screen.getByRole('button', { name: 'Load sample data' })
    load.focus()
    press(load)
    await screen.findByText('6 records')
    await vi.waitFor(() => expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Records' })))
  })

  it('never takes focus from a control that is still there when a heading changes', async () => {
    await open('/renaming')
    const name = screen.getByLabelText('Name')
    name.focus()
    fireEvent.keyDown(name, { key: 'A' })
    fireEvent.change(name, { target: { value: 'Asthma plan' } })
    await heading('Asthma plan')
    expect(document.activeElement).toBe(name)
  })

  it('stops following when told to', async () => {
    await open('/records')
    stop?.()
    const link = screen.getByRole('link', { name: 'Go to B' })
    link.focus()
    press(link)
    await heading('Screen B')
    expect(document.activeElement).toBe(link)
  })
})
