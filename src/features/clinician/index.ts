/**
 * The clinician's side: scan or paste a patient's consent link and view what was shared, with
 * the consent checked on chain. Public screens: no wallet is needed, nothing is stored.
 */
import { lazy } from 'react'

export const ScanScreen = lazy(() => import('./ScanScreen.tsx').then((m) => ({ default: m.ScanScreen })))
export const ViewScreen = lazy(() => import('./ViewRoute.tsx').then((m) => ({ default: m.ViewRoute })))
// Small and loaded with the route table: the viewer's route takes a link out of the address before anything else loads.
export { takeSharedLink } from './sharedLink.ts'
