// Only small modules of CareKey's own here, none from node_modules: the entry must run even when
// the app's scripts or dependencies fail to load, so that it can say what failed.
import { listenForInstallPrompt } from './app/pwa/installPrompt.ts'
import { diagnoseLoadFailure, showLoadFailure, watchFailedResponses } from './app/loadFailure.ts'
import './index.css'

/**
 * The entry point is kept tiny. index.html already holds the app shell's first paint (the
 * CareKey logo and "Opening CareKey…"); the app itself (React, storage, the screens) starts
 * right after that first frame, so that on a slow phone network the patient sees CareKey at
 * once instead of a blank page while the scripts download. From the second visit on, the
 * service worker serves everything from the device.
 */
listenForInstallPrompt()
const failedResponses = watchFailedResponses()

const start = () => {
  import('./app/start.tsx').then(
    () => failedResponses.stop(),
    async (error: unknown) => {
      // Without the app's scripts (a first visit that lost the network, a server error, a dev
      // server whose dependency cache changed) say what failed instead of "Opening CareKey…" forever.
      const seen = failedResponses.seen()
      failedResponses.stop()
      const failure = await diagnoseLoadFailure(error, {
        online: navigator.onLine,
        failedResponses: seen,
        devServer: document.querySelector('script[src="/@vite/client"]') !== null,
        pageUrl: location.href,
        fetch: (input, init) => fetch(input, init),
      })
      showLoadFailure(failure)
    },
  )
}

// A tab opened in the background paints nothing until shown: start at once there.
if (document.visibilityState === 'hidden') start()
else requestAnimationFrame(() => setTimeout(start, 0))
