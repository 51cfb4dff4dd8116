import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useSyncExternalStore } from 'react'
import type { Resource } from '@medplum/fhirtypes'
import type { RecordSummary } from '../../domain/records/records.ts'
import { filterRecords, type RecordsFilter } from '../../domain/records/search.ts'
import { attachmentQueryOptions, recordKeys, recordQueryOptions, recordsIndexQueryOptions, storageUsageQueryOptions } from './queries.ts'
import {
  addDocument,
  deleteRecord,
  exportBackup,
  exportFhirBundle,
  importRecords,
  loadSamplePatient,
  readImportFile,
  requestPersistentStorage,
  restoreBackup,
  saveRecord,
  undoDelete,
} from './recordsActions.ts'
import { recordsSession } from './session.ts'

/** Changes at every lock, unlock or wallet change. */
export function useRecordsEpoch(): number {
  return useSyncExternalStore(recordsSession.subscribe, recordsSession.getEpoch, recordsSession.getEpoch)
}

/** The decrypted records index of the unlocked wallet. */
export function useRecordsIndex() {
  return useQuery(recordsIndexQueryOptions(useRecordsEpoch()))
}

/** A summary of one record, as other features see it. */
export type RecordSummaryView = Pick<RecordSummary, 'id' | 'category' | 'title' | 'date' | 'detail' | 'resourceType'>

/**
 * The unlocked wallet's records as summaries (id, category, title, date), newest first,
 * optionally filtered by category and text.
 *
 * @example
 * const { data: records = [] } = useRecordSummaries({ categories: ['allergies', 'medications'] })
 */
export function useRecordSummaries(filter: RecordsFilter = {}) {
  const categories = filter.categories?.join(',') ?? ''
  const query = filter.query ?? ''
  return useQuery({
    ...recordsIndexQueryOptions(useRecordsEpoch()),
    select: (index): RecordSummaryView[] =>
      filterRecords(index, { categories: categories ? filter.categories : undefined, query }).map((r) => ({
        id: r.id,
        category: r.category,
        title: r.title,
        date: r.date,
        detail: r.detail,
        resourceType: r.resourceType,
      })),
  })
}

export function useRecord(id: string) {
  return useQuery(recordQueryOptions(useRecordsEpoch(), id))
}

export function useAttachmentFile(attachmentId: string, contentType: string, enabled: boolean) {
  return useQuery({ ...attachmentQueryOptions(useRecordsEpoch(), attachmentId, contentType), enabled })
}

/** Invalidates the records' queries after a write. */
function useRecordsWrite<A, R>(mutationFn: (args: A) => Promise<R>) {
  const queryClient = useQueryClient()
  return useMutation({ mutationFn, onSuccess: () => queryClient.invalidateQueries({ queryKey: recordKeys.all }) })
}

export const useImportRecords = () => useRecordsWrite(async (file: Blob) => importRecords(await readImportFile(file)))
export const useLoadSamplePatient = () => useRecordsWrite(() => loadSamplePatient())
export const useSaveRecord = () => useRecordsWrite(({ resource, id }: { resource: Resource; id?: string }) => saveRecord(resource, id))
export const useDeleteRecord = () => useRecordsWrite((id: string) => deleteRecord(id))
export const useUndoDelete = () => useRecordsWrite(() => undoDelete())
export const useAddDocument = () => useRecordsWrite(({ file, title }: { file: File; title: string }) => addDocument(file, title))
export const useRestoreBackup = () => useRecordsWrite((file: Blob) => restoreBackup(file))

/** The record deleted last, while it can still be put back. */
export function useLastDeletion() {
  return useSyncExternalStore(recordsSession.subscribe, recordsSession.getDeletion, recordsSession.getDeletion)
}

export function useExportBackup() {
  return useMutation({ mutationFn: () => exportBackup() })
}

export function useExportFhirBundle() {
  return useMutation({ mutationFn: () => exportFhirBundle() })
}

export const useStorageUsage = () => useQuery(storageUsageQueryOptions())

export function useRequestPersistentStorage() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: () => requestPersistentStorage(),
    onSettled: () => queryClient.invalidateQueries({ queryKey: recordKeys.storage() }),
  })
}
