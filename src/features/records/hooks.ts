import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useSyncExternalStore } from 'react'
import type { Resource } from '@medplum/fhirtypes'
import { attachmentQueryOptions, recordKeys, recordQueryOptions, storageUsageQueryOptions } from './queries.ts'
import {
  addDocument,
  deleteRecord,
  exportBackup,
  exportFhirBundle,
  importRecords,
  loadSamplePatient,
  readAttachmentFile,
  readImportFile,
  requestPersistentStorage,
  restoreBackup,
  saveRecord,
  undoDelete,
} from './recordsActions.ts'
import { saveFile } from '../../ui/saveFile.ts'
import { useSessionScope } from '../wallet/index.ts'
import { recordsSession } from './session.ts'

export function useRecord(id: string) {
  return useQuery(recordQueryOptions(useSessionScope(), id))
}

export function useAttachmentFile(attachmentId: string, contentType: string, enabled: boolean) {
  return useQuery({ ...attachmentQueryOptions(useSessionScope(), attachmentId, contentType), enabled })
}

export { useRecordsIndex, useRecordSummaries, type RecordSummaryView } from './summaries.ts'

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

/** Decrypts a stored file and hands it to the browser as a download. */
export function useDownloadAttachment() {
  return useMutation({
    mutationFn: async ({ attachmentId, contentType, fileName }: { attachmentId: string; contentType: string; fileName: string }) =>
      saveFile(await readAttachmentFile(attachmentId, contentType), fileName),
  })
}

export const useStorageUsage = () => useQuery(storageUsageQueryOptions())

export function useRequestPersistentStorage() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: () => requestPersistentStorage(),
    onSettled: () => queryClient.invalidateQueries({ queryKey: recordKeys.storage() }),
  })
}
