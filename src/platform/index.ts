/**
 * What every feature needs and no feature owns: configuration, routing and links, screen
 * scaffolding, the online status, the dirty-form guard and the last known chain reads.
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
  type LastKnownReadsStore,
} from './lastKnownReads.ts'
export { ScreenLoading } from './ScreenLoading.tsx'
