import { useCallback, useState } from 'react'
import { useMutation, type MutateOptions, type UseMutationOptions, type UseMutationResult } from '@tanstack/react-query'

/**
 * What a private mutation keeps as its variables in the query client's mutation cache: a number
 * that stands for the input, never the input itself.
 */
export type PrivateInputTicket = number

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

export type PrivateMutationOptions<TInput, TData> = Omit<UseMutationOptions<TData, Error, PrivateInputTicket>, 'mutationFn'> & {
  mutationFn: (input: TInput) => Promise<TData>
}

export type PrivateMutationResult<TInput, TData> = DistributiveOmit<
  UseMutationResult<TData, Error, PrivateInputTicket>,
  'mutate' | 'mutateAsync' | 'variables'
> & {
  mutate: (input: TInput, options?: MutateOptions<TData, Error, PrivateInputTicket>) => void
  mutateAsync: (input: TInput, options?: MutateOptions<TData, Error, PrivateInputTicket>) => Promise<TData>
}

/** The input of a private mutation is gone before it ran: a bug in the caller. */
class PrivateInputGoneError extends Error {
  constructor() {
    super('usePrivateMutation: the input of this run is no longer held')
    this.name = 'PrivateInputGoneError'
  }
}

let lastTicket = 0

/**
 * A mutation whose input is private: a passphrase, a recovery phrase, a grant's passcode, a
 * health record. TanStack Query keeps a mutation's variables in its cache (for five minutes after
 * it ends, and for anything that reads the cache); here the cache holds only a ticket number,
 * while the input waits in the calling component until the run settles, then is let go.
 * `mutate(input)` is called as with useMutation.
 *
 * @example
 * const unlock = usePrivateMutation({ mutationFn: (passphrase: string) => unlockWallet(passphrase) })
 * unlock.mutate(passphrase, { onError: () => setPassphrase('') })
 */
export function usePrivateMutation<TInput, TData>({ mutationFn, onSettled, ...options }: PrivateMutationOptions<TInput, TData>): PrivateMutationResult<TInput, TData> {
  const [held] = useState(() => new Map<PrivateInputTicket, { input: TInput }>())
  const mutation = useMutation<TData, Error, PrivateInputTicket>({
    ...options,
    mutationFn: (ticket) => {
      const entry = held.get(ticket)
      return entry ? mutationFn(entry.input) : Promise.reject(new PrivateInputGoneError())
    },
    // After the last retry: the input is needed by every attempt, and by none after.
    onSettled: (data, error, ticket, ...rest) => {
      held.delete(ticket)
      return onSettled?.(data, error, ticket, ...rest)
    },
  })
  const { mutate: mutateTicket, mutateAsync: mutateTicketAsync } = mutation
  const hold = useCallback(
    (input: TInput): PrivateInputTicket => {
      const ticket = ++lastTicket
      held.set(ticket, { input })
      return ticket
    },
    [held],
  )
  const mutate = useCallback(
    (input: TInput, callbacks?: MutateOptions<TData, Error, PrivateInputTicket>) => mutateTicket(hold(input), callbacks),
    [mutateTicket, hold],
  )
  const mutateAsync = useCallback(
    (input: TInput, callbacks?: MutateOptions<TData, Error, PrivateInputTicket>) => mutateTicketAsync(hold(input), callbacks),
    [mutateTicketAsync, hold],
  )
  return { ...mutation, mutate, mutateAsync }
}
