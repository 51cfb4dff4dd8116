import { clockText, momentText } from '../domain/dateText.ts'

/**
 * "Read at 14:02:11" for a value read from the network; "Last known value, read at …" when the
 * latest read failed (offline, chain unreachable). A read from another day shows its date too.
 */
export function LastRead({ at, stale }: { at: number; stale?: boolean }) {
  if (!at) return null
  const time = new Date(at)
  const today = new Date().toDateString() === time.toDateString()
  return (
    <span className="text-sm text-slate-600 dark:text-slate-400" data-testid="last-read">
      {stale ? 'Last known value, read at ' : 'Read at '}
      <time dateTime={time.toISOString()}>{today ? clockText(time) : momentText(time)}</time>
    </span>
  )
}
