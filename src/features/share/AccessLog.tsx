import { momentRangeParts } from '../../domain/dateText.ts'
import type { ShareAccessLog } from '../../domain/shl/index.ts'
import { Button } from '../../ui/Button.tsx'
import { ErrorMessage } from '../../ui/ErrorMessage.tsx'
import { LastRead } from '../../ui/LastRead.tsx'
import { Card } from '../../ui/Page.tsx'
import { accessGroupText, groupAccessLog } from './accessLogGroups.ts'

/**
 * Who opened the share and when, newest first: the name they gave, and their account when
 * they proved it with a signature. Wrong passcodes are listed too. Repeated events are one
 * entry ("3 wrong passcodes, as Mallory" from 10:02 to 10:04; "Dr. Grey opened it 2 times"),
 * see groupAccessLog. The host keeps the newest few hundred entries of a share and says how
 * many older ones it dropped.
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
  const entries = log?.entries ?? []
  const groups = groupAccessLog(entries)
  const opened = groups.filter((g) => g.outcome === 'opened').reduce((sum, g) => sum + g.count, 0)
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
      {groups.length > 0 && (
        <ol className="space-y-2" aria-label="Access log, newest first">
          {groups.map((group, i) => (
            <li key={`${group.firstAt}-${i}`} className="rounded-lg border border-slate-200 p-3 dark:border-slate-700" data-testid="access-entry">
              <p className="font-medium [overflow-wrap:anywhere]">{accessGroupText(group)}</p>
              <p className="text-sm text-slate-700 dark:text-slate-300">
                <TimeRange from={group.firstAt} to={group.lastAt} />
                {group.verifiedAddress ? (
                  <>
                    {' · '}verified account <span className="font-mono [overflow-wrap:anywhere]">{group.verifiedAddress}</span>
                  </>
                ) : (
                  group.outcome === 'opened' && ' · name not verified'
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

/** '2 Oct 2024, 10:02 to 10:04', each end a `<time>` with its exact moment. */
function TimeRange({ from, to }: { from: string; to: string }) {
  const { start, end } = momentRangeParts(Date.parse(from), Date.parse(to))
  return (
    <>
      <time dateTime={from}>{start}</time>
      {end !== undefined && (
        <>
          {' to '}
          <time dateTime={to}>{end}</time>
        </>
      )}
    </>
  )
}
