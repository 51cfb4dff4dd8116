/**
 * Consent: grant a consent (what, with whom, why, how long; reviewed in plain words, recorded
 * on chain through wagmi), my consents with their live status from chain, revoke. The screens
 * load lazily; the share feature builds on the hooks and parts exported here, which is why the
 * app's routes import this door itself lazily.
 */

/**
 * Loads the consent screens (`ConsentListScreen` for '/consent', `GrantConsentScreen` for
 * '/consent/new', `ConsentDetailScreen` for '/consent/$consentId'): the handle the app's
 * routes use after loading this door lazily.
 *
 * @example
 * const ConsentListScreen = lazy(() =>
 *   import('../features/consent/index.ts').then((door) => door.loadConsentScreens()).then((m) => ({ default: m.ConsentListScreen })),
 * )
 */
export const loadConsentScreens = () => import('./screens.ts')

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
export { consentStatusView, type ConsentStatusView } from './statusView.ts'
