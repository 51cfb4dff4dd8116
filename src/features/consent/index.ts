/**
 * Consent: grant a consent (what, with whom, why, how long; reviewed in plain words, recorded
 * on chain through wagmi), my consents with their live status from chain, revoke. The screens
 * load lazily; the share feature builds on the hooks and parts exported here, which is why the
 * app's routes import this door itself lazily.
 */
import { lazy } from 'react'

/** Loads the consent screens: the handle the app's routes use after loading this door lazily. */
export const loadConsentScreens = () => import('./ConsentScreens.tsx').then((m) => m.ConsentScreens)

/** All consent screens, for the '/consent' and '/consent/*' routes. */
export const ConsentScreens = lazy(() => loadConsentScreens().then((screens) => ({ default: screens })))

export {
  registry,
  useConsent,
  useConsents,
  useGrantStatus,
  useNow,
  useRevokeGrant,
  useSigningAccount,
  type GrantStatusResult,
  type RevokeTarget,
} from './hooks.ts'
export { GrantProgress } from './GrantProgress.tsx'
export { StatusBadge } from './StatusBadge.tsx'
export { ChainErrorMessage } from './ChainErrorMessage.tsx'
export { RevokeConsent, REVOKE_EXPLANATION } from './RevokeConsent.tsx'
export { dateTimeText, granteeText, purposeText, remainingText, scopeText, shortHex } from './describe.ts'
export type { ConsentStatusView } from './statusView.ts'
