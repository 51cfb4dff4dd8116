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
  restoreBackup,
  saveRecord,
  undoDelete,
} from './recordsActions.ts'
import { usePrivateMutation } from '../../platform/privateMutation.ts'
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

function useInvalidateRecords() {
  const queryClient = useQueryClient()
  return () => queryClient.invalidateQueries({ queryKey: recordKeys.all })
}

/**
 * A write of records, then the records' queries invalidated. Its input (a record, a file, a
 * title) is health data: it never becomes the mutation's variables in the query cache.
 */
function useRecordsWrite<A, R>(mutationFn: (args: A) => Promise<R>) {
  return usePrivateMutation({ mutationFn, onSuccess: useInvalidateRecords() })
}

/** A write of records that takes no input, then the records' queries invalidated. */
function useRecordsChange<R>(mutationFn: () => Promise<R>) {
  return useMutation({ mutationFn, onSuccess: useInvalidateRecords() })
}

export const useImportRecords = () => useRecordsWrite(async (file: Blob) => importRecords(await readImportFile(file)))
export const useLoadSamplePatient = () => useRecordsChange(() => loadSamplePatient())
export const useSaveRecord = () => useRecordsWrite(({ resource, id }: { resource: Resource; id?: string }) => saveRecord(resource, id))
export const useDeleteRecord = () => useRecordsWrite((id: string) => deleteRecord(id))
export const useUndoDelete = () => useRecordsChange(() => undoDelete())
export const useAddDocument = () => useRecordsWrite(({ file, title }: { file: File; title: string }) => addDocument(file, title))
export const useRestoreBackup = () => useRecordsWrite((file: Blob) => restoreBackup(file))

/** The record deleted last, while it can still be put back. */
export function useLastDeletion() {
  return useSyncExternalStore(recordsSession.subscribe, recordsSession.getDeletion, recordsSession.getDeletion)
}

export function useExportBackup() {
  return useMutation({ mutationFn: () => exportBackup() })
}

/** Exports every record as a plain FHIR file and hands it to the browser as a download; the file is not kept. */
export function useExportFhirBundle() {
  return useMutation({
    mutationFn: async () => {
      const { file, fileName } = await exportFhirBundle()
      saveFile(file, fileName)
    },
  })
}

/** Decrypts a stored file and hands it to the browser as a download (its name stays out of the query cache). */
export function useDownloadAttachment() {
  return usePrivateMutation({
    mutationFn: async ({ attachmentId, contentType, fileName }: { attachmentId: string; contentType: string; fileName: string }) =>
      saveFile(await readAttachmentFile(attachmentId, contentType), fileName),
  })
}

export const useStorageUsage = () => useQuery(storageUsageQueryOptions())

