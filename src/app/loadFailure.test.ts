// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest'
import { diagnoseLoadFailure, loadFailureMessage, showLoadFailure, type LoadFailureFacts } from './loadFailure.ts'

const PAGE = 'http://localhost:5173/'
const CHROMIUM_ERROR = new TypeError(`Failed to fetch dynamically imported module: ${PAGE}src/app/start.tsx`)

/** A server that answers each address as told, and notes what was asked. */
function server(answers: Record<string, { status: number; statusText?: string } | 'no answer'>) {
  const asked: string[] = []
  const fetch: typeof globalThis.fetch = (input) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    asked.push(url)
    const answer = answers[url] ?? { status: 200 }
    if (answer === 'no answer') return Promise.reject(new TypeError('Failed to fetch'))
    return Promise.resolve(new Response(answer.status === 200 ? 'export {}' : null, answer))
  }
  return { fetch, asked }
}

const facts = (overrides: Partial<LoadFailureFacts>): LoadFailureFacts => ({
  online: true,
  failedResponses: [],
  devServer: false,
  pageUrl: PAGE,
  fetch: server({}).fetch,
  ...overrides,
})

describe('diagnoseLoadFailure', () => {
  it('says offline when the device is offline, without asking the network', async () => {
    const { fetch, asked } = server({})
    expect(await diagnoseLoadFailure(CHROMIUM_ERROR, facts({ online: false, fetch }))).toEqual({ kind: 'offline' })
    expect(asked).toEqual([])
  })

  it('tells a server that does not answer from an offline device', async () => {
    const { fetch } = server({ [`${PAGE}src/app/start.tsx`]: 'no answer' })
    expect(await diagnoseLoadFailure(CHROMIUM_ERROR, facts({ fetch }))).toEqual({ kind: 'unreachable', devServer: false })
  })

  it("names the dependency a dev server answered 504 Outdated Optimize Dep, asking for that file again", async () => {
    const dep = `${PAGE}node_modules/.vite/deps/react.js?v=0123abcd`
    const { fetch, asked } = server({ [dep]: { status: 504, statusText: 'Outdated Optimize Dep' } })
    const failure = await diagnoseLoadFailure(CHROMIUM_ERROR, facts({ fetch, devServer: true, failedResponses: [{ url: dep, status: 504 }] }))
    expect(failure).toEqual({ kind: 'server-error', status: 504, statusText: 'Outdated Optimize Dep', file: '/node_modules/.vite/deps/react.js', devServer: true })
    expect(asked).toEqual([dep])
    const { problem, action } = loadFailureMessage(failure)
    expect(problem).toContain('the development server answered 504 Outdated Optimize Dep for /node_modules/.vite/deps/react.js')
    expect(action).toBe('Reload this page. If it happens again, stop “npm run dev” (Ctrl-C) and start it again.')
  })

  it('keeps the error status seen while loading when the file loads now', async () => {
    const chunk = `${PAGE}assets/start-abc.js`
    const failure = await diagnoseLoadFailure(CHROMIUM_ERROR, facts({ failedResponses: [{ url: chunk, status: 503 }] }))
    expect(failure).toEqual({ kind: 'server-error', status: 503, statusText: '', file: '/assets/start-abc.js', devServer: false })
    expect(loadFailureMessage(failure).problem).toBe('CareKey could not load: the server answered 503 for /assets/start-abc.js.')
  })

  it('asks again for the module the browser names when no error response was seen', async () => {
    const { fetch, asked } = server({ [`${PAGE}src/app/start.tsx`]: { status: 404, statusText: 'Not Found' } })
    const failure = await diagnoseLoadFailure(CHROMIUM_ERROR, facts({ fetch }))
    expect(asked).toEqual([`${PAGE}src/app/start.tsx`])
    expect(loadFailureMessage(failure)).toEqual({
      problem: 'CareKey could not load: the server has no file /src/app/start.tsx (it answered 404 Not Found). CareKey may have been updated while this page was open.',
      action: 'Reload this page.',
    })
  })

  it('says a file did not load or could not run when everything answers now', async () => {
    const failure = await diagnoseLoadFailure(new SyntaxError('Unexpected token'), facts({}))
    expect(failure).toEqual({ kind: 'file-failed', file: undefined, detail: 'Unexpected token', devServer: false })
    expect(loadFailureMessage(failure).problem).toBe('CareKey could not load: one of its files did not load or could not run (Unexpected token).')
  })
})

describe('loadFailureMessage', () => {
  it('never blames the connection for a server error, and tells a developer to restart the dev server', () => {
    const failure = { kind: 'server-error', status: 500, statusText: 'Internal Server Error', file: '/src/app/App.tsx', devServer: true } as const
    const { problem, action } = loadFailureMessage(failure)
    expect(problem).not.toMatch(/internet|connection|offline/i)
    expect(action).toContain('stop “npm run dev” (Ctrl-C) and start it again')
    expect(loadFailureMessage({ ...failure, devServer: false }).action).not.toContain('npm')
  })

  it('points at the connection only when the device is offline or the server does not answer', () => {
    expect(loadFailureMessage({ kind: 'offline' })).toEqual({
      problem: 'CareKey could not load: this device is offline.',
      action: 'Connect to the internet, then reload this page.',
    })
    expect(loadFailureMessage({ kind: 'unreachable', devServer: false }).action).toContain('Check your internet connection')
    expect(loadFailureMessage({ kind: 'unreachable', devServer: true }).action).toBe('Check that “npm run dev” is still running, then reload this page.')
  })
})

describe('showLoadFailure', () => {
  afterEach(() => document.body.replaceChildren())

  it('replaces "Opening CareKey…" in the first paint with what failed, what to do and a Reload button', () => {
    document.body.innerHTML = '<div id="root"><div role="status"><img alt="" /><p>Opening CareKey…</p></div></div>'
    showLoadFailure({ kind: 'offline' })
    const status = document.querySelector('[role="status"]')
    expect([...(status?.querySelectorAll('p') ?? [])].map((p) => p.textContent)).toEqual([
      'CareKey could not load: this device is offline.',
      'Connect to the internet, then reload this page.',
    ])
    expect(status?.querySelector('button')?.textContent).toBe('Reload')
  })
})
