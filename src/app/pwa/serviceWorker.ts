import { useSyncExternalStore } from 'react'
import type { Workbox } from 'workbox-window'
import { isProductionBuild } from '../../platform/config.ts'
import { hasDirtyForms } from '../../platform/dirtyForms.ts'
import { trustedServiceWorkerUrl } from '../../platform/trustedTypes.ts'

/** What the service worker means for the patient right now. */
export type AppUpdateState = {
  /** A new version is installed and waits for the patient's go-ahead. */
  updateReady: boolean
  /** The new version took over (from another tab) while a form here was dirty: reload when done. */
  reloadNeeded: boolean
}

/** How often a long-open CareKey asks the server whether a new version was deployed. */
export const UPDATE_CHECK_INTERVAL_MS = 60 * 60 * 1000

let state: AppUpdateState = { updateReady: false, reloadNeeded: false }
const listeners = new Set<() => void>()
let activateWaitingVersion: (() => Promise<void>) | undefined
let registration: ServiceWorkerRegistration | undefined

function setState(patch: Partial<AppUpdateState>) {
  state = { ...state, ...patch }
  for (const listener of listeners) listener()
}

function subscribe(listener: () => void) {
  listeners.add(listener)
  return () => {
    listeners.delete(listener)
  }
}

/**
 * Registers the service worker (production builds only; the dev server has none) and keeps
 * looking for new versions: when the browser comes back online, when CareKey is shown again,
 * and every hour. Call once, before rendering.
 *
 * @example
 * startServiceWorker()
 * createRoot(root).render(<App />)
 */
export function startServiceWorker(): void {
  if (!isProductionBuild || activateWaitingVersion || !('serviceWorker' in navigator)) return
  reloadWhenReplaced()
  const registered = registerServiceWorker()
  activateWaitingVersion = async () => (await registered)?.messageSkipWaiting()
}

/**
 * What vite-plugin-pwa's `registerSW` does in prompt mode, with the worker's script URL vouched
 * for by CareKey's Trusted Types policy (the plugin's passes a plain string, which the content
 * security policy refuses). Resolves to the registered worker, or undefined when registering
 * failed: CareKey works without one (only not offline).
 */
async function registerServiceWorker(): Promise<Workbox | undefined> {
  try {
    const { Workbox } = await import('workbox-window')
    const workbox = new Workbox(trustedServiceWorkerUrl(), { scope: '/' })
    // A new version waits for the patient's go-ahead (installed by this page or by another tab).
    workbox.addEventListener('waiting', () => setState({ updateReady: true }))
    workbox.addEventListener('installed', (event) => {
      if (event.isUpdate === undefined && event.isExternal) setState({ updateReady: true })
    })
    // Registers after the page has loaded, so precaching never competes with the first screen.
    registration = await workbox.register({ immediate: false })
    if (registration) watchForUpdates(registration)
    return workbox
  } catch (error) {
    console.warn('CareKey could not register its service worker:', error instanceof Error ? error.name : typeof error)
    return undefined
  }
}

/**
 * When a new version takes charge of this page (the patient agreed here or in another tab),
 * reloads into it, unless that would lose a form. The first install taking charge of the
 * page that installed it is not an update and changes nothing.
 */
function reloadWhenReplaced() {
  if (!('serviceWorker' in navigator)) return
  let controller = navigator.serviceWorker.controller
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    const previous = controller
    controller = navigator.serviceWorker.controller
    if (!previous) return
    if (hasDirtyForms()) setState({ updateReady: false, reloadNeeded: true })
    else window.location.reload()
  })
}

function watchForUpdates(registration: ServiceWorkerRegistration) {
  const check = () => {
    if (!navigator.onLine || registration.installing) return
    // A failed check (a flaky connection, the server down) changes nothing; the next trigger retries.
    registration.update().catch(() => undefined)
  }
  window.addEventListener('online', check)
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') check()
  })
  setInterval(check, UPDATE_CHECK_INTERVAL_MS)
}

/** The service worker's update state, for the update prompt. */
export function useAppUpdateState(): AppUpdateState {
  return useSyncExternalStore(subscribe, () => state, () => state)
}

/**
 * Lets the waiting version take over; the page then reloads into it. Refuses (returns
 * 'form-dirty') while a form holds unsaved input. Stored data is not touched: only the
 * app's own files change, and IndexedDB is never opened by the service worker.
 */
export function applyAppUpdate(): 'form-dirty' | 'updating' {
  if (hasDirtyForms()) return 'form-dirty'
  // The new version waits for this page: let it take over, then the page reloads into it.
  if (registration?.waiting) void activateWaitingVersion?.()
  // It is already in charge (no page was using the old one): a reload is all it takes.
  else window.location.reload()
  return 'updating'
}

/** "Later": hides the prompt until CareKey is next opened (the new version keeps waiting). */
export function dismissAppUpdate(): void {
  setState({ updateReady: false })
}
