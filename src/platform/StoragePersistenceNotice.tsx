import { Button } from '../ui/Button.tsx'
import { ErrorMessage, Notice } from '../ui/ErrorMessage.tsx'
import type { PersistenceState } from './persistentStorage.ts'

export type StoragePersistenceNoticeProps = {
  /** What the browser said; undefined while it is being asked. */
  state: PersistenceState | undefined
  /** A request to keep the data is under way. */
  asking: boolean
  /** The last request was answered no. */
  refused: boolean
  /** A CareKeyError from reading the state or asking (anything else goes to the error boundary). */
  error?: unknown
  onAsk: () => void
}

const SAYS: Record<PersistenceState, string> = {
  granted: 'This browser has agreed to keep CareKey’s data. It will not delete your records to free up space: they go only if you delete them or clear this browser’s data.',
  'not-granted':
    'This browser has not agreed to keep CareKey’s data. It may delete your records, without asking, when the device runs low on space or after weeks without a visit. Keep a backup, and ask the browser to keep the data.',
  unsupported: 'This browser cannot promise to keep CareKey’s data: it may delete your records when the device runs low on space. Keep a backup.',
}

/**
 * Says plainly whether the browser agreed to keep CareKey's data and, when it did not, what
 * that means and a button to ask again. The sentence is a polite live region, so the answer to
 * a request is announced.
 *
 * @example
 * <StoragePersistenceNotice {...useStoragePersistence()} />
 */
export function StoragePersistenceNotice({ state, asking, refused, error, onAsk }: StoragePersistenceNoticeProps) {
  return (
    <Notice tone={state === 'granted' ? 'success' : state === undefined ? 'info' : 'warning'} className="space-y-3">
      <div role="status" className="space-y-2">
        {state ? <p>{SAYS[state]}</p> : !error && <p>Checking whether this browser keeps CareKey’s data…</p>}
        {refused && state === 'not-granted' && (
          <p className="font-semibold">The browser said no for now. It often agrees once CareKey is installed, bookmarked or used regularly.</p>
        )}
      </div>
      {state === 'not-granted' && (
        <Button variant="secondary" busy={asking} onClick={onAsk}>
          {asking ? 'Asking the browser…' : 'Ask the browser to keep my data'}
        </Button>
      )}
      <ErrorMessage error={error} />
    </Notice>
  )
}
