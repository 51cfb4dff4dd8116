import { useEffect, useState } from 'react'
import type { QueryClient } from '@tanstack/react-query'
import { lockWallet } from '../features/wallet/index.ts'
import { onChangedInAnotherTab } from '../storage/db.ts'

/**
 * True once another tab deleted the wallet's database or upgraded it (see openCareKeyDb). This
 * tab then locks and forgets what it had read, since none of it matches what is stored any more.
 */
export function useChangedInAnotherTab(queryClient: QueryClient): boolean {
  const [changed, setChanged] = useState(false)
  useEffect(
    () =>
      onChangedInAnotherTab(() => {
        lockWallet()
        queryClient.clear()
        setChanged(true)
      }),
    [queryClient],
  )
  return changed
}

/** What this tab shows after another tab changed the stored wallet: only a way to reload. */
export function ChangedInAnotherTabScreen() {
  return (
    <main className="mx-auto max-w-xl space-y-4 px-4 py-10" role="alert">
      <h1 className="text-2xl font-bold">CareKey was changed in another tab</h1>
      <p>
        The wallet was removed in another tab, or a newer version of CareKey updated your data there. This tab has locked and stopped using
        the stored data, so nothing it shows could be out of date or saved in the wrong place.
      </p>
      <button
        type="button"
        className="min-h-11 rounded-lg bg-teal-700 px-4 font-semibold text-white focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-teal-600"
        onClick={() => window.location.reload()}
      >
        Reload CareKey
      </button>
    </main>
  )
}
