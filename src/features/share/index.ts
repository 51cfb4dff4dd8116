/**
 * Sharing with a clinician: the consent QR code (a SMART Health Link to CareKey's viewer),
 * the upload of the encrypted records to the share host, full-screen QR, copy link, status,
 * access log, stop sharing. Grants with a share are made on the consent feature's grant screen.
 * The app imports this door with its first screen: keep it light (the screens load lazily).
 */
import { lazy } from 'react'

const loadScreens = () => import('./screens.ts')

/** '/share': the newest consent QR code that can still open (the app's shortcut), or how to make one. */
export const CurrentShareScreen = lazy(() => loadScreens().then((m) => ({ default: m.CurrentShareScreen })))
/** '/share/$shareId': one consent QR code with its status and access log. */
export const ShareScreen = lazy(() => loadScreens().then((m) => ({ default: m.ShareScreen })))
