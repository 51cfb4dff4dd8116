import type { ShareAccessLog } from '../../domain/shl/index.ts'
import { Button } from '../../ui/Button.tsx'
import { ErrorMessage } from '../../ui/ErrorMessage.tsx'
import { LastRead } from '../../ui/LastRead.tsx'
import { Card } from '../../ui/Page.tsx'

/**
 * Who opened the share and when, newest first: the name they gave, and their account when
 * they proved it with a signature. Wrong passcodes are listed too, repeated ones under one
 * name as one entry ("3 wrong passcodes, 10:02 to 10:04"). The host keeps the newest few
 * hundred entries of a share and says how many older ones it dropped.
 */
export function AccessLog({
  log,
  readAt,
  error,
  polling,
  refreshing,
  onRefresh,
}: {
  log: ShareAccessLog | undefined
  readAt: number
  error: unknown
  polling: boolean
  refreshing: boolean
  onRefresh: () => void
}) {
  const entries = [...(log?.entries ?? [])].reverse()
  const opened = entries.filter((e) => e.outcome === 'opened').length
  const dropped = log?.dropped ?? 0
  return (
    <Card title="Who opened it">
      <p role="status" aria-live="polite" data-testid="access-summary">
        {log === undefined
          ? 'Reading the access log…'
          : opened === 0
            ? 'Nobody has opened it yet.'
            : `Opened ${opened === 1 ? 'once' : `${opened} times`}${dropped > 0 ? ' recently' : ''}.`}
      </p>
      {dropped > 0 && (
        <p className="text-sm text-slate-700 dark:text-slate-300" data-testid="access-dropped">
          {dropped} older {dropped === 1 ? 'entry is' : 'entries are'} no longer kept: the share host keeps the newest {entries.length} of each
          share. Stop sharing this QR code if you do not recognise who opens it.
        </p>
      )}
      {entries.length > 0 && (
        <ol className="space-y-2" aria-label="Access log, newest first">
          {entries.map((entry, i) => (
            <li key={`${entry.at}-${i}`} className="rounded-lg border border-slate-200 p-3 dark:border-slate-700" data-testid="access-entry">
              <p>
                <strong className="break-words">{entry.recipient}</strong>{' '}
                {entry.outcome === 'opened'
                  ? 'opened it'
                  : entry.count
                    ? `tried ${entry.count} wrong passcodes`
                    : 'tried a wrong passcode'}
              </p>
              <p className="text-sm text-slate-700 dark:text-slate-300">
                <time dateTime={entry.at}>{new Date(entry.at).toLocaleString()}</time>
                {entry.lastAt && (
                  <>
                    {' to '}
                    <time dateTime={entry.lastAt}>{new Date(entry.lastAt).toLocaleString()}</time>
                  </>
                )}
                {entry.verifiedAddress ? (
                  <>
                    {' · '}verified account <span className="font-mono break-all">{entry.verifiedAddress}</span>
                  </>
                ) : (
                  ' · name not verified'
                )}
              </p>
            </li>
          ))}
        </ol>
      )}
      <div className="flex flex-wrap items-center gap-3">
        {readAt > 0 && <LastRead at={readAt} stale={Boolean(error)} />}
        {!polling && (
          <Button variant="secondary" onClick={onRefresh} busy={refreshing}>
            Refresh
          </Button>
        )}
      </div>
      {polling && <p className="text-sm text-slate-700 dark:text-slate-300">New opens appear here within a few seconds.</p>}
      {!polling && <p className="text-sm text-slate-700 dark:text-slate-300">Your browser wallet signs each read of this log.</p>}
      <ErrorMessage error={error} />
    </Card>
  )
}
