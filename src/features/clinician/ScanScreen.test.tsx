// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { createBrowserHistory, createRootRoute, createRoute, createRouter, Outlet, RouterProvider, type RouteComponent } from '@tanstack/react-router'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { decodeShlink, encodeShlink, manifestUrlFor, newShareId, newShareKey, shlinkViewerUrl } from '../../domain/shl/index.ts'
import { QR_DECODED_MARK } from './marks.ts'
import { ScanScreen, shlinkFragment } from './ScanScreen.tsx'
import { forgetSharedLink, heldSharedLink, holdSharedLink } from './sharedLink.ts'
import { ViewScreen } from './ViewScreen.tsx'

/**
 * What a clinician sees when they scan or paste something: a consent link opens the viewer,
 * anything else says what it is not and what to do. The camera is replaced by a button that
 * "scans" a chosen text, so the scanned path is tested as well as the pasted one.
 */
let nextScan = ''
vi.mock('../scan/index.ts', () => ({
  QrScanner: ({ onDetected }: { onDetected: (text: string) => void }) => (
    <button type="button" onClick={() => onDetected(nextScan)}>
      Fake scan
    </button>
  ),
}))

const shlink = encodeShlink({ url: manifestUrlFor('https://share.example.org', newShareId()), key: newShareKey(), flags: ['L'], label: 'For Dr. Lee' })
const viewerUrl = shlinkViewerUrl('https://carekey.example.org/view', decodeShlink(shlink).payload)
const NOT_A_LINK = 'That is not a shared health record link.'
const messageOf = (run: () => unknown): string => {
  try {
    run()
  } catch (error) {
    return (error as { userMessage: string }).userMessage
  }
  throw new Error('expected the link to be refused')
}

/**
 * Renders the scan screen (or the viewer) in a router over the browser history, as the app
 * does, with a stand-in at /view unless the viewer itself is under test.
 */
async function renderAt(path: string, { view = () => <p>The viewer</p> }: { view?: RouteComponent } = {}) {
  window.history.replaceState(null, '', path)
  const root = createRootRoute({ component: Outlet })
  const routeTree = root.addChildren([
    createRoute({ getParentRoute: () => root, path: '/scan', component: ScanScreen }),
    createRoute({ getParentRoute: () => root, path: '/view', component: view }),
  ])
  const router = createRouter({ routeTree, history: createBrowserHistory() })
  await router.load()
  render(<RouterProvider router={router} />)
}

beforeEach(() => {
  window.history.replaceState(null, '', '/scan')
  performance.clearMarks()
  forgetSharedLink()
})

/** The viewer was opened with the link held in memory, and the address shows none of it. */
function expectViewerOpenedWith(link: string) {
  expect(window.location.pathname + window.location.search + window.location.hash).toBe('/view')
  expect(heldSharedLink()?.text).toBe(link)
}
afterEach(cleanup)

async function paste(text: string) {
  const user = userEvent.setup()
  await renderAt('/scan')
  await user.click(await screen.findByLabelText('Shared link'))
  await user.paste(text)
  await user.click(screen.getByRole('button', { name: 'Open' }))
}

describe('pasting a link on the scan screen', () => {
  it('opens the viewer for our viewer URL with #shlink:/…, the link held in memory and not in the address', async () => {
    await paste(viewerUrl)
    await screen.findByText('The viewer')
    expectViewerOpenedWith(shlink)
    expect(screen.queryByRole('alert')).toBeNull()
  })

  it('opens the viewer for a bare shlink:/… (from any SMART Health Links app)', async () => {
    await paste(`  ${shlink}  `)
    await screen.findByText('The viewer')
    expectViewerOpenedWith(shlink)
  })

  it('says that junk is not a shared health record link, and what to do', async () => {
    await paste('hello doctor')
    const alert = screen.getByRole('alert')
    expect(alert.textContent).toContain(NOT_A_LINK)
    expect(alert.textContent).toContain('contains “shlink:/”')
    expect(window.location.pathname).toBe('/scan')
    expect(heldSharedLink()).toBeUndefined()
  })

  it('names the problem of a broken shlink:/ link', async () => {
    const broken = shlink.slice(0, 40)
    await paste(broken)
    expect(screen.getByRole('alert').textContent).toContain(messageOf(() => decodeShlink(broken)))
    expect(window.location.pathname).toBe('/scan')
  })
})

describe('scanning a QR code on the scan screen', () => {
  it('opens a consent QR and marks when it was decoded (for the time to verified records)', async () => {
    nextScan = viewerUrl
    await renderAt('/scan')
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Fake scan' }))
    await screen.findByText('The viewer')
    expectViewerOpenedWith(shlink)
    expect(performance.getEntriesByName(QR_DECODED_MARK)).toHaveLength(1)
  })

  it('says that a wallet address QR (EIP-681 ethereum:) is not a consent link', async () => {
    nextScan = 'ethereum:0x70997970C51812dc3A010C7d01b50e0d17dc79C8@31337'
    await renderAt('/scan')
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Fake scan' }))
    expect(screen.getByRole('alert').textContent).toContain(NOT_A_LINK)
    expect(window.location.pathname).toBe('/scan')
    expect(performance.getEntriesByName(QR_DECODED_MARK)).toHaveLength(0)
  })
})

describe('shlinkFragment', () => {
  it('keeps the link from shlink:/ on, from a viewer URL or bare', () => {
    expect(shlinkFragment(viewerUrl)).toBe(shlink)
    expect(shlinkFragment(`\n${shlink}\n`)).toBe(shlink)
  })

  it('refuses text without a link, and a link that does not decode', () => {
    expect(messageOf(() => shlinkFragment('https://carekey.example.org/view'))).toBe(NOT_A_LINK)
    expect(messageOf(() => shlinkFragment('shlink:/not-base64!'))).toBe(messageOf(() => decodeShlink('shlink:/not-base64!')))
  })
})

describe('the viewer without a readable link', () => {
  it('shows that the link is malformed, why, and the way back to the scanner', async () => {
    holdSharedLink('shlink:/eyJ1cmwiOiJodHRwczovL3gifQ')
    await renderAt('/view', { view: ViewScreen })
    expect(await screen.findByRole('heading', { name: 'This link cannot be opened' })).toBeTruthy()
    // Announced once: the alert region holds the problem, whose message is not a second alert.
    const alert = screen.getByRole('alert')
    const problem = within(alert).getByRole('region', { name: 'The link is malformed' })
    expect(problem.textContent).toContain(messageOf(() => decodeShlink('shlink:/eyJ1cmwiOiJodHRwczovL3gifQ')))
    expect(within(alert).queryAllByRole('alert')).toHaveLength(0)
    expect(screen.getByRole('link', { name: 'Scan another consent QR' }).getAttribute('href')).toBe('/scan')
  })

  it('asks to open the link again or scan the QR when no link is held (after a reload)', async () => {
    await renderAt('/view', { view: ViewScreen })
    expect(await screen.findByRole('heading', { name: 'Open the link again or scan the QR code' })).toBeTruthy()
    expect(screen.getByRole('link', { name: 'Scan the consent QR code' }).getAttribute('href')).toBe('/scan')
  })
})
