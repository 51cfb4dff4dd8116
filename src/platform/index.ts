/**
 * What every feature needs and no feature owns: configuration, routing and links, screen
 * scaffolding, the online status, the dirty-form guard, the last known chain reads, and keeping
 * private data out of the query cache (private mutations, the wipe at the lock).
 */
export { appConfig, appConfigError, type AppConfig } from './config.ts'
export { useDirtyForm, useHasDirtyForms } from './dirtyForms.ts'
export { useOnlineStatus } from './onlineStatus.ts'
export { NeedsNetwork } from './NeedsNetwork.tsx'
export {
  LAST_KNOWN_META,
  keepLastKnownReads,
  parseLastKnownReads,
  restoreLastKnownReads,
  type LastKnownRead,
  type LastKnownReadsStore,
} from './lastKnownReads.ts'
export { LOCK_SCREEN_META, wipePrivateCaches } from './privateCaches.ts'
export { usePrivateMutation, type PrivateInputTicket, type PrivateMutationResult } from './privateMutation.ts'
export { ScreenLoading } from './ScreenLoading.tsx'
