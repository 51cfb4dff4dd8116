/**
 * CareKey as an installable, offline-first app: the service worker and its update prompt, the
 * install button, the online/offline state, last known chain values kept across reloads, and
 * the dirty-form guard that keeps an update from reloading under unsaved input.
 */
export { useDirtyForm, useHasDirtyForms } from './dirtyForms.ts'
export { useOnlineStatus } from './onlineStatus.ts'
export { startServiceWorker } from './serviceWorker.ts'
export { LAST_KNOWN_META, keepLastKnownReads, restoreLastKnownReads } from './lastKnownReads.ts'
export { PwaBanners } from './PwaBanners.tsx'
export { InstallButton } from './InstallButton.tsx'
export { NeedsNetwork } from './NeedsNetwork.tsx'
