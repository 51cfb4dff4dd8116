/**
 * Sharing with a clinician: the consent QR code (a SMART Health Link to CareKey's viewer),
 * the upload of the encrypted records to the share host, full-screen QR, copy link, status,
 * access log, stop sharing. Grants with a share are made on the consent feature's grant screen.
 * The app imports this door with its first screen: keep it light (the screens load lazily).
 */
import { lazy } from 'react'

/** All share screens, for the '/share' and '/share/*' routes. */
export const ShareScreens = lazy(() => import('./ShareScreens.tsx').then((m) => ({ default: m.ShareScreens })))
