/**
 * What every feature needs and no feature owns: configuration, routing and links, screen
 * scaffolding (focus to each new screen's heading), the online status, the dirty-form guard, the last known chain reads, keeping
 * private data out of the query cache (private mutations, the wipe at the lock), and storage that
 * lasts (persistent storage, Safari's seven-day rule, the backup reminder).
 */
export { appConfig, appConfigError, type AppConfig, type ContractLocation } from './config.ts'
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
export { STEP_PARAM, useStepsInAddress, type StepsInAddress } from './stepInAddress.ts'
export { followScreenHeadings, SCREEN_HEADING_SELECTOR } from './screenFocus.ts'
export { persistenceState, requestPersistence, PersistentStorageError, type PersistenceState } from './persistentStorage.ts'
export { StoragePersistenceNotice, type StoragePersistenceNoticeProps } from './StoragePersistenceNotice.tsx'
export { currentBrowserEnvironment, isSafariOutsideHomeScreen, safariOutsideHomeScreen, type BrowserEnvironment, type SafariDevice } from './safariStorage.ts'
export { SafariStorageNotice, type SafariNoticeScreen } from './SafariStorageNotice.tsx'
export { BackupReminderBanner, useBackupReminder } from './BackupReminderBanner.tsx'
