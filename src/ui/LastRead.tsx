/** "Last read at 14:02:11" for a value read from the network. */
export function LastRead({ at, stale }: { at: number; stale?: boolean }) {
  if (!at) return null
  const time = new Date(at)
  return (
    <span className="text-sm text-slate-600 dark:text-slate-400">
      {stale ? 'Last known value, read at ' : 'Read at '}
      <time dateTime={time.toISOString()}>{time.toLocaleTimeString()}</time>
    </span>
  )
}
