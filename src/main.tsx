// Before the app's modules make any zod schema (they load after this one has run).
import './platform/zodWithoutEval.ts'
import { listenForInstallPrompt } from './app/pwa/installPrompt.ts'
import './index.css'

/**
 * The entry point is kept tiny. index.html already holds the app shell's first paint (the
 * CareKey logo and "Opening CareKey…"); the app itself (React, storage, the screens) starts
 * right after that first frame, so that on a slow phone network the patient sees CareKey at
 * once instead of a blank page while the scripts download. From the second visit on, the
 * service worker serves everything from the device.
 */
listenForInstallPrompt()

const start = () => {
  import('./app/start.tsx').catch(() => {
    // Without the app's scripts (a first visit that lost the network) say so instead of
    // "Opening CareKey…" forever.
    const status = document.querySelector('#root [role="status"] p')
    if (status) status.textContent = 'CareKey could not load. Check your internet connection, then reload this page.'
  })
}

// A tab opened in the background paints nothing until shown: start at once there.
if (document.visibilityState === 'hidden') start()
else requestAnimationFrame(() => setTimeout(start, 0))
