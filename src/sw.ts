/// <reference lib="webworker" />
/**
 * CareKey's service worker. It precaches the app shell and every built asset (scripts, styles,
 * icons, the manifest and any .wasm) so that CareKey starts with no network after one visit,
 * and answers every in-app navigation with index.html (the app routes on the client).
 *
 * It caches nothing else: chain RPC replies, share host replies and anything from another
 * origin go straight to the network, untouched, so a stale consent status or access log can
 * never be served from here. Patient data lives in IndexedDB, which this worker never opens.
 *
 * A new version waits until the page asks it to take over (the page asks the patient first);
 * then outdated precaches are removed. Caches are not patient data: nothing stored is touched.
 */
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching'
import { NavigationRoute, registerRoute } from 'workbox-routing'

declare let self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (PrecacheEntry | string)[] }

/** The message the page sends when the patient agrees to update (workbox-window's messageSkipWaiting). */
const SKIP_WAITING = 'SKIP_WAITING'

precacheAndRoute(self.__WB_MANIFEST)
cleanupOutdatedCaches()

// Same-origin navigations only (a navigation to another origin never reaches this worker).
// Served by `npm start`, the share host shares the app's origin: its routes are not the app's
// (the same paths as isShareHostPath in server/src/production.ts).
registerRoute(
  new NavigationRoute(createHandlerBoundToURL('index.html'), {
    denylist: [/^\/shl(?:\/|$)/, /^\/api(?:\/|$)/, /^\/health$/],
  }),
)

// The first install takes charge of the page that installed it (so that page, too, is served
// from the precache and sees later updates as waiting versions). A later version activates
// only when the page asks, and then takes charge of every open CareKey tab.
self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim())
})

self.addEventListener('message', (event) => {
  if (isSkipWaitingMessage(event.data)) void self.skipWaiting()
})

function isSkipWaitingMessage(data: unknown): boolean {
  return typeof data === 'object' && data !== null && 'type' in data && data.type === SKIP_WAITING
}
