/// <reference types="vite-plugin-pwa/vanillajs" />
import { useSyncExternalStore } from 'react'
import { registerSW } from 'virtual:pwa-register'
import { hasDirtyForms } from '../../platform/dirtyForms.ts'

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
  if (activateWaitingVersion) return
  reloadWhenReplaced()
  activateWaitingVersion = registerSW({
    // Register after the page has loaded, so precaching never competes with the first screen.
    immediate: false,
    onNeedRefresh: () => setState({ updateReady: true }),
    // Reloading is handled by reloadWhenReplaced, which also covers a first visit.
    onNeedReload: () => undefined,
    onRegisteredSW: (_url, registered) => {
      registration = registered
      if (registered) watchForUpdates(registered)
    },
    onRegisterError: (error: unknown) => {
      // CareKey works without a service worker (only not offline); say why in the console.
      console.warn('CareKey could not register its service worker:', error instanceof Error ? error.name : typeof error)
    },
  })
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
