import { queryOptions } from '@tanstack/react-query'
import { persistenceState } from '../../platform/persistentStorage.ts'
import { recordsSession } from './session.ts'

// Loaded with the first records screen, not with the app's first screen.
const actions = () => import('./recordsActions.ts')

/**
 * Query keys of the records feature. Every key of decrypted data carries the unlocked
 * session's scope (sessionScope in the wallet feature), which changes at each unlock, lock or
 * wallet change, so a cached query can never serve another session's data; and their gcTime is
 * 0, so decrypted data leaves the cache as soon as no screen shows it (the records session keeps
 * the index itself until the wallet locks).
 */
export const recordKeys = {
  all: ['records'] as const,
  session: (session: number) => [...recordKeys.all, 'session', session] as const,
  index: (session: number) => [...recordKeys.session(session), 'index'] as const,
  detail: (session: number, id: string) => [...recordKeys.session(session), 'detail', id] as const,
  attachment: (session: number, attachmentId: string) => [...recordKeys.session(session), 'attachment', attachmentId] as const,
  storage: () => [...recordKeys.all, 'storage'] as const,
  persistence: () => [...recordKeys.storage(), 'persistence'] as const,
}

/** The decrypted records index (local data: invalidated on write, never polled). */
export const recordsIndexQueryOptions = (session: number) =>
  queryOptions({ queryKey: recordKeys.index(session), queryFn: () => recordsSession.index(), staleTime: Infinity, gcTime: 0, retry: false })

/** One record, decrypted. */
export const recordQueryOptions = (session: number, id: string) =>
  queryOptions({ queryKey: recordKeys.detail(session, id), queryFn: async () => (await actions()).readRecord(id), staleTime: Infinity, gcTime: 0, retry: false })

/** A stored file, decrypted into a Blob. */
export const attachmentQueryOptions = (session: number, attachmentId: string, contentType: string) =>
  queryOptions({
    queryKey: recordKeys.attachment(session, attachmentId),
    queryFn: async () => (await actions()).readAttachmentFile(attachmentId, contentType),
    staleTime: Infinity,
    gcTime: 0,
    retry: false,
  })

/** The browser's storage estimate: re-read whenever the screen shows it and after writes. */
export const storageUsageQueryOptions = () => queryOptions({ queryKey: recordKeys.storage(), queryFn: async () => (await actions()).readStorageUsage(), staleTime: 0 })

/** Whether the browser keeps CareKey's data: re-read whenever a screen shows it and after asking (under `storage`). */
export const persistenceQueryOptions = () => queryOptions({ queryKey: recordKeys.persistence(), queryFn: () => persistenceState(), staleTime: 0, retry: false })
