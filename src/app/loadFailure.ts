/**
 * What to say when CareKey's own scripts do not load (the entry's `import('./app/start.tsx')`
 * rejects), instead of "Opening CareKey…" forever. A browser only says "Failed to fetch
 * dynamically imported module", whatever happened, so CareKey finds out which of these it was:
 * the device is offline, the server does not answer, the server answered one of CareKey's files
 * with an error (a 504 "Outdated Optimize Dep" from a Vite dev server whose dependency cache
 * changed under it, a 404 after an update), or a file loaded but could not run. Each says what
 * to do. This module is part of the entry script: it must stay small and load nothing.
 */

/** A response for one of the page's own files that was an error (from Resource Timing). */
export type FailedResponse = { url: string; status: number }

export type LoadFailure =
  | { kind: 'offline' }
  | { kind: 'unreachable'; devServer: boolean }
  | { kind: 'server-error'; status: number; statusText: string; file: string; devServer: boolean }
  | { kind: 'file-failed'; file: string | undefined; detail: string; devServer: boolean }

export type LoadFailureFacts = {
  /** `navigator.onLine`. */
  online: boolean
  /** The page's own files that were answered with an error status while it loaded. */
  failedResponses: readonly FailedResponse[]
  /** True on a Vite dev server (`npm run dev`), whose page loads `/@vite/client`. */
  devServer: boolean
  /** The page's own address, asked again when nothing names a failed file. */
  pageUrl: string
  fetch: typeof fetch
}

/**
 * Finds out why the app's scripts did not load: asks the server again for the file that
 * failed (the first error response seen, else the module the browser's error names, else the
 * page itself), without the cache.
 *
 * @example
 * import('./app/start.tsx').catch(async (error) => showLoadFailure(await diagnoseLoadFailure(error, facts)))
 */
export async function diagnoseLoadFailure(error: unknown, facts: LoadFailureFacts): Promise<LoadFailure> {
  if (!facts.online) return { kind: 'offline' }
  const { devServer } = facts
  const failed = facts.failedResponses[0]
  const named = urlInMessage(error)
  const asked = failed?.url ?? named ?? facts.pageUrl
  let response: Response
  try {
    response = await facts.fetch(asked, { cache: 'no-store' })
  } catch {
    return { kind: 'unreachable', devServer }
  }
  if (!response.ok) return { kind: 'server-error', status: response.status, statusText: response.statusText, file: pathOf(asked), devServer }
  // It loads now: the error seen while loading still says what went wrong.
  if (failed) return { kind: 'server-error', status: failed.status, statusText: '', file: pathOf(failed.url), devServer }
  return { kind: 'file-failed', file: named && pathOf(named), detail: error instanceof Error ? error.message : String(error), devServer }
}

/**
 * What the patient (or the developer, on a dev server) reads: what failed, then what to do.
 *
 * @example
 * loadFailureMessage({ kind: 'offline' }).problem // 'CareKey could not load: this device is offline.'
 */
export function loadFailureMessage(failure: LoadFailure): { problem: string; action: string } {
  const restartDev = 'If it happens again, stop “npm run dev” (Ctrl-C) and start it again.'
  switch (failure.kind) {
    case 'offline':
      return { problem: 'CareKey could not load: this device is offline.', action: 'Connect to the internet, then reload this page.' }
    case 'unreachable':
      return failure.devServer
        ? { problem: 'CareKey could not load: the development server does not answer.', action: 'Check that “npm run dev” is still running, then reload this page.' }
        : { problem: 'CareKey could not load: its server does not answer.', action: 'Check your internet connection, then reload this page. If it keeps happening, try again later.' }
    case 'server-error': {
      const answer = `${failure.status}${failure.statusText ? ` ${failure.statusText}` : ''}`
      if (failure.devServer && (/optimize dep/i.test(failure.statusText) || (failure.status === 504 && failure.file.includes('/deps/')))) {
        return {
          problem: `CareKey could not load: the development server answered ${answer} for ${failure.file}. Its prepared copies of the dependencies changed while the page loaded (another Vite server or a test run may have rebuilt them).`,
          action: `Reload this page. ${restartDev}`,
        }
      }
      if (failure.status === 404 || failure.status === 410) {
        return {
          problem: `CareKey could not load: the server has no file ${failure.file} (it answered ${answer}). CareKey may have been updated while this page was open.`,
          action: failure.devServer ? `Reload this page. ${restartDev}` : 'Reload this page.',
        }
      }
      return {
        problem: `CareKey could not load: the server answered ${answer} for ${failure.file}.`,
        action: failure.devServer ? `Reload this page. ${restartDev}` : 'Wait a moment, then reload this page. If it keeps happening, the server needs attention: try again later.',
      }
    }
    case 'file-failed':
      return {
        problem: `CareKey could not load: ${failure.file ? `${failure.file} or a file it needs` : 'one of its files'} did not load or could not run (${failure.detail}).`,
        action: failure.devServer ? `Reload this page. ${restartDev}` : 'Reload this page. If it keeps happening, this version of CareKey has a problem: try again later. Your wallet and records stay on this device.',
      }
  }
}

/**
 * Notes every error response for the page's own files from now on (Resource Timing), so that a
 * failure can name the file. Returns what it saw and a way to stop.
 */
export function watchFailedResponses(): { seen: () => FailedResponse[]; stop: () => void } {
  const failed: FailedResponse[] = []
  if (typeof PerformanceObserver === 'undefined') return { seen: () => failed, stop: () => undefined }
  const note = (entries: PerformanceEntryList) => {
    for (const entry of entries as PerformanceResourceTiming[]) {
      // responseStatus is 0 where the browser does not report it (and for other origins).
      if (entry.responseStatus >= 400 && entry.name.startsWith(location.origin)) failed.push({ url: entry.name, status: entry.responseStatus })
    }
  }
  const observer = new PerformanceObserver((list) => note(list.getEntries()))
  try {
    observer.observe({ type: 'resource', buffered: true })
  } catch {
    // A browser without Resource Timing observers: failures are then found by asking again.
  }
  return {
    // Entries not yet delivered to the observer are taken too: the failure may be the last one.
    seen: () => {
      note(observer.takeRecords())
      return failed
    },
    stop: () => observer.disconnect(),
  }
}

/**
 * Replaces "Opening CareKey…" of index.html's first paint with what failed and what to do, and
 * a Reload button. The first paint is a status region: the change is announced.
 */
export function showLoadFailure(failure: LoadFailure, root: ParentNode = document): void {
  const shell = root.querySelector('#root [role="status"]')
  const first = shell?.querySelector('p')
  if (!shell || !first) return
  const { problem, action } = loadFailureMessage(failure)
  first.textContent = problem
  first.className = 'max-w-md text-lg font-semibold text-slate-900 dark:text-slate-100'
  first.setAttribute('data-testid', 'load-failure')
  const todo = document.createElement('p')
  todo.className = 'max-w-md text-slate-700 dark:text-slate-300'
  todo.textContent = action
  const reload = document.createElement('button')
  reload.type = 'button'
  reload.className = 'min-h-11 rounded-lg bg-teal-700 px-5 font-semibold text-white hover:bg-teal-800 focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-teal-600'
  reload.textContent = 'Reload'
  reload.addEventListener('click', () => location.reload())
  shell.append(todo, reload)
}

function urlInMessage(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : ''
  return /https?:\/\/[^\s'"]+/.exec(message)?.[0]
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname
  } catch {
    return url
  }
}
