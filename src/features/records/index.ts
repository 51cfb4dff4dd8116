/**
 * Health records: the timeline and record screens (lazy-loaded), and what other features need
 * to read the patient's records for consent and sharing. This door stays light: the FHIR and
 * crypto code behind it loads with the first records read, not with the app's first screen.
 */
import { lazy } from 'react'
import type { Resource } from '@medplum/fhirtypes'
import type { WalletKeys } from '../../domain/wallet/keys.ts'
import type { BackupSummary, BuiltBackup, RecordSelection, RestoreSummary } from './recordsActions.ts'

export { useRecordSummaries, type RecordSummaryView } from './summaries.ts'
export { useStoragePersistence } from './persistence.ts'
export { recordKeys } from './queries.ts'
export type { BackupSummary, BuiltBackup, RecordSelection, RestoreSummary } from './recordsActions.ts'
export type { RecordCategory } from '../../domain/fhir/categories.ts'
export { RECORD_CATEGORIES, categoryLabel } from '../../domain/fhir/categories.ts'

// The records screens load together, with the first of them the patient opens.
const loadScreens = () => import('./RecordsScreens.tsx')

/** '/records': the timeline. */
export const RecordTimeline = lazy(() => loadScreens().then((m) => ({ default: m.RecordTimeline })))
/** '/records/new': the choice of what to add. */
export const AddRecordScreen = lazy(() => loadScreens().then((m) => ({ default: m.AddRecordScreen })))
/** '/records/new/document': a PDF or a photo. */
export const AddDocumentScreen = lazy(() => loadScreens().then((m) => ({ default: m.AddDocumentScreen })))
/** '/records/new/$kind': the form for one kind of record. */
export const NewRecordOfKindScreen = lazy(() => loadScreens().then((m) => ({ default: m.NewRecordOfKindScreen })))
/** '/records/import': a FHIR file or a sample. */
export const ImportScreen = lazy(() => loadScreens().then((m) => ({ default: m.ImportScreen })))
/**
 * The records' cards of the Backup and storage screen (the backup feature's): the encrypted
 * backup file and its restore, storage on this device, the FHIR export. `onBackupExported` is
 * called once a backup file was saved.
 */
export const BackupFileCards = lazy(() => loadScreens().then((m) => ({ default: m.BackupFileCards })))
/** '/records/$recordId': one record. */
export const RecordDetailScreen = lazy(() => loadScreens().then((m) => ({ default: m.RecordDetailScreen })))
/** '/records/$recordId/edit': one record's form. */
export const EditRecordScreen = lazy(() => loadScreens().then((m) => ({ default: m.EditRecordScreen })))

/**
 * The FHIR R4 resources of the selected records, decrypted with the given unlocked keys:
 * every record in the chosen categories plus the hand-picked ones (by the ids that
 * useRecordSummaries gives). Files stored in the wallet are put inline (`attachment.data`,
 * base64) unless `inlineAttachments` is false, so the receiver needs nothing else. Resources
 * are returned as stored; wrap them in a Bundle (with the Consent) to share.
 *
 * @example
 * const keys = useWalletKeys()
 * const resources = await selectRecordsForSharing(keys, { categories: ['allergies', 'medications'] })
 * const picked = await selectRecordsForSharing(keys, { recordIds: [summary.id] }, { inlineAttachments: false })
 */
export async function selectRecordsForSharing(
  keys: WalletKeys,
  selection: RecordSelection,
  options: { inlineAttachments?: boolean } = {},
): Promise<Resource[]> {
  const actions = await import('./recordsActions.ts')
  return actions.selectRecordsForSharing(keys, selection, options)
}

/**
 * The sealed backup of everything the unlocked wallet stores (records with their files, consents,
 * shares), under the wallet's backup key: the bytes of a `.carekey` file, which the online backup
 * uploads as they are. Throws WalletLockedError while locked.
 *
 * @example
 * const { bytes, records } = await buildBackupBytes()
 */
export async function buildBackupBytes(): Promise<BuiltBackup> {
  const actions = await import('./recordsActions.ts')
  return actions.buildBackupBytes()
}

/**
 * When a backup was made and how many records and consents it holds, read with the unlocked
 * wallet's backup key; nothing is written. Throws BackupFromAnotherWalletError,
 * BackupDamagedError, BackupTruncatedError, NotABackupError or BackupVersionError.
 *
 * @example
 * const { createdAt, records, consents } = await readBackupSummary(bytes)
 */
export async function readBackupSummary(bytes: Uint8Array): Promise<BackupSummary> {
  const actions = await import('./recordsActions.ts')
  return actions.readBackupSummary(bytes)
}

/**
 * Restores a backup's bytes (a downloaded online backup) exactly as a `.carekey` file is
 * restored: merged without duplicates, consents and shares included, in one transaction, or
 * refused with nothing changed. Invalidate `recordKeys.all` afterwards.
 *
 * @example
 * const { restored, alreadyPresent } = await restoreBackup(bytes)
 */
export async function restoreBackup(bytes: Uint8Array): Promise<RestoreSummary> {
  const actions = await import('./recordsActions.ts')
  return actions.restoreBackup(bytes)
}
