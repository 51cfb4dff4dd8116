// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { cleanup, render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { createBrowserHistory, createRootRoute, createRoute, createRouter, Outlet, RouterProvider } from '@tanstack/react-router'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { toBase64Url, utf8 } from '../../domain/crypto/bytes.ts'
import { careKeyShareLink, manifestUrlFor, newShareId, newShareKey, SHARE_GRANT_CONTENT_TYPE } from '../../domain/shl/index.ts'
import { appConfig } from '../../platform/index.ts'
import { forgetSharedLink, holdSharedLink } from './sharedLink.ts'
import { ViewScreen } from './ViewScreen.tsx'

/**
 * The viewer with a short link, whose grant is at the share host: what the clinician sees while
 * it is read and when it cannot be, before anything asks for their name or the passcode. The
 * share host is a stubbed `fetch`; the verified path, on a real chain and host, is in
 * e2e/viewer.spec.ts.
 */
const shortLink = (hostUrl = appConfig.shareHostUrl) => {
  const key = newShareKey()
  const manifestUrl = manifestUrlFor(hostUrl, newShareId())
  const link = careKeyShareLink('https://carekey.example.org/view', { manifestUrl, key, flags: ['L', 'P'] })
  return { key, manifestUrl, shlink: link.slice(link.indexOf('shlink:/')) }
}

async function renderViewer() {
  window.history.replaceState(null, '', '/view')
  const root = createRootRoute({ component: Outlet })
  const routeTree = root.addChildren([
    createRoute({ getParentRoute: () => root, path: '/view', component: ViewScreen }),
    createRoute({ getParentRoute: () => root, path: '/scan', component: () => <p>The scanner</p> }),
  ])
  const router = createRouter({ routeTree, history: createBrowserHistory() })
  await router.load()
  render(
    <QueryClientProvider client={new QueryClient()}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  )
}

/** A share host that answers each request with the next reply, and notes what was asked. */
function stubHost(...replies: (() => Response | Promise<Response>)[]) {
  const asked: string[] = []
  vi.stubGlobal('fetch', (url: string, init?: RequestInit) => {
    asked.push(`${init?.method ?? 'GET'} ${url}`)
    const reply = replies.shift()
    return reply ? Promise.resolve(reply()) : Promise.reject(new TypeError('fetch failed'))
  })
  return asked
}

beforeEach(() => {
  // jsdom has no scrolling; the router restores scroll positions after each navigation.
  window.scrollTo = () => undefined
  forgetSharedLink()
})
afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

describe('the viewer with a link whose grant is at the share host', () => {
  it('reads the grant without the passcode, and says so when the host does not have it; no name or passcode is asked', async () => {
    const { shlink, manifestUrl } = shortLink()
    const asked = stubHost(() => Response.json({ error: 'not_found' }, { status: 404 }))
    holdSharedLink(shlink)
    await renderViewer()
    expect(screen.getByRole('status').textContent).toBe('Reading the consent from the share host…')
    expect(await screen.findByRole('heading', { name: 'The consent could not be read' })).toBeTruthy()
    expect(screen.getByText('The consent behind this link is not at its share host, so it cannot be checked.')).toBeTruthy()
    expect(screen.queryByLabelText('Passcode')).toBeNull()
    expect(screen.queryByLabelText('Your name and role')).toBeNull()
    expect(screen.queryByRole('button', { name: 'Try again' })).toBeNull()
    expect(screen.getByRole('link', { name: 'Scan another consent QR' })).toBeTruthy()
    expect(asked).toEqual([`GET ${manifestUrl}/grant`])
  })

  it('offers to try again when the host cannot be reached, and names a grant the link key does not open', async () => {
    const { shlink } = shortLink()
    // A grant in form, but not one the link's key opens: changed, or another share's. (Made by hand: jose does not encrypt under jsdom.)
    const header = toBase64Url(utf8.encode(JSON.stringify({ alg: 'dir', enc: 'A256GCM', cty: SHARE_GRANT_CONTENT_TYPE })))
    const other = [header, '', toBase64Url(new Uint8Array(12)), toBase64Url(new Uint8Array(300)), toBase64Url(new Uint8Array(16))].join('.')
    stubHost(
      () => Promise.reject(new TypeError('fetch failed')),
      () => new Response(other, { headers: { 'content-type': 'application/jose' } }),
    )
    holdSharedLink(shlink)
    await renderViewer()
    expect(await screen.findByText('The share host cannot be reached right now.')).toBeTruthy()
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }))
    expect(await screen.findByText('The consent behind this link could not be read: the key does not open it, or it was changed.')).toBeTruthy()
    expect(screen.queryByRole('button', { name: 'Try again' })).toBeNull()
    expect(screen.queryByLabelText('Passcode')).toBeNull()
  })

  it('refuses a share host this CareKey may not reach before any request', async () => {
    const { shlink } = shortLink('https://share.example.org')
    const asked = stubHost()
    holdSharedLink(shlink)
    await renderViewer()
    expect(await screen.findByText('This link points to a share host CareKey is not set up to reach (share.example.org).')).toBeTruthy()
    expect(asked).toEqual([])
  })
})
