/**
 * The clinician's side: scan or paste a patient's consent link and view what was shared.
 * Public screens: no wallet is needed.
 */
import { lazy } from 'react'

export const ScanScreen = lazy(() => import('./ScanScreen.tsx').then((m) => ({ default: m.ScanScreen })))
