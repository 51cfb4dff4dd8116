import { queryOptions } from '@tanstack/react-query'
import { recordsSession } from './session.ts'

// Loaded with the first records screen, not with the app's first screen.
const actions = () => import('./recordsActions.ts')

/**
 * Query keys of the records feature. Every key of decrypted data carries the session's epoch,
 * which changes at each lock or wallet change, so a cached query can never serve another
 * session's data; and their gcTime is 0, so decrypted data leaves the cache as soon as no
 * screen shows it (the session keeps the index itself until the wallet locks).
 */
export const recordKeys = {
  all: ['records'] as const,
  session: (epoch: number) => [...recordKeys.all, 'session', epoch] as const,
  index: (epoch: number) => [...recordKeys.session(epoch), 'index'] as const,
  detail: (epoch: number, id: string) => [...recordKeys.session(epoch), 'detail', id] as const,
  attachment: (epoch: number, attachmentId: string) => [...recordKeys.session(epoch), 'attachment', attachmentId] as const,
  storage: () => [...recordKeys.all, 'storage'] as const,
}

/** The decrypted records index (local data: invalidated on write, never polled). */
export const recordsIndexQueryOptions = (epoch: number) =>
  queryOptions({ queryKey: recordKeys.index(epoch), queryFn: () => recordsSession.index(), staleTime: Infinity, gcTime: 0, retry: false })

/** One record, decrypted. */
export const recordQueryOptions = (epoch: number, id: string) =>
  queryOptions({ queryKey: recordKeys.detail(epoch, id), queryFn: async () => (await actions()).readRecord(id), staleTime: Infinity, gcTime: 0, retry: false })

/** A stored file, decrypted into a Blob. */
export const attachmentQueryOptions = (epoch: number, attachmentId: string, contentType: string) =>
  queryOptions({
    queryKey: recordKeys.attachment(epoch, attachmentId),
    queryFn: async () => (await actions()).readAttachmentFile(attachmentId, contentType),
    staleTime: Infinity,
    gcTime: 0,
    retry: false,
  })

/** The browser's storage estimate: re-read whenever the screen shows it and after writes. */
export const storageUsageQueryOptions = () => queryOptions({ queryKey: recordKeys.storage(), queryFn: async () => (await actions()).readStorageUsage(), staleTime: 0 })
