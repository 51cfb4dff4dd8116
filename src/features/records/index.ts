/**
 * Health records: the timeline and record screens (lazy-loaded), and what other features need
 * to read the patient's records for consent and sharing. This door stays light: the FHIR and
 * crypto code behind it loads with the first records read, not with the app's first screen.
 */
import { lazy } from 'react'
import type { Resource } from '@medplum/fhirtypes'
import type { WalletKeys } from '../../domain/wallet/keys.ts'
import type { RecordSelection } from './recordsActions.ts'

export { useRecordSummaries, type RecordSummaryView } from './summaries.ts'
export { useStoragePersistence } from './persistence.ts'
export type { RecordSelection } from './recordsActions.ts'
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
/** '/records/backup': the encrypted backup file. */
export const BackupScreen = lazy(() => loadScreens().then((m) => ({ default: m.BackupScreen })))
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
