import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { requestPersistence } from '../../platform/persistentStorage.ts'
import type { StoragePersistenceNoticeProps } from '../../platform/StoragePersistenceNotice.tsx'
import { persistenceQueryOptions, recordKeys } from './queries.ts'

/**
 * Whether the browser keeps CareKey's data, and a way to ask it again: exactly what
 * StoragePersistenceNotice shows. Asking re-reads the storage state and usage.
 *
 * @example
 * <StoragePersistenceNotice {...useStoragePersistence()} />
 */
export function useStoragePersistence(): StoragePersistenceNoticeProps {
  const queryClient = useQueryClient()
  const state = useQuery(persistenceQueryOptions())
  const ask = useMutation({
    mutationFn: () => requestPersistence(),
    onSettled: () => queryClient.invalidateQueries({ queryKey: recordKeys.storage() }),
  })
  return {
    state: state.data,
    asking: ask.isPending,
    refused: ask.data === 'not-granted',
    error: state.error ?? ask.error,
    onAsk: () => ask.mutate(),
  }
}
