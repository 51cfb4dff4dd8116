import { useEffect, useId, useRef, useState } from 'react'
import { useOnlineStatus } from '../../platform/onlineStatus.ts'
import { Link } from '../../platform/router.tsx'
import { Button } from '../../ui/Button.tsx'
import { ErrorMessage } from '../../ui/ErrorMessage.tsx'
import { Card } from '../../ui/Page.tsx'
import { useAutoBackupActivity, useBackUpNow, useBackupStatus, useDeleteOnlineBackups, useSetAutoBackup } from './hooks.ts'
import { backupStatusLine, type BackupStatusLine } from './statusLine.ts'

/** The online backup: what it is, the switch, its status, Back up now, and deleting the copies at the host. */
export function OnlineBackupCard() {
  const status = useBackupStatus()
  const setAuto = useSetAutoBackup()
  const backUp = useBackUpNow()
  const enabled = setAuto.isPending ? setAuto.variables : status.data?.enabled
  return (
    <Card title="Online backup">
      <p className="text-slate-700 dark:text-slate-300">
        CareKey keeps an encrypted copy of your records, files and consents on the CareKey share host, and updates it after each change. Only your recovery
        phrase opens it: the share host cannot read it. If this device is lost, restoring your wallet from the phrase brings your records back.
      </p>
      <label className="flex min-h-11 items-center gap-3">
        <input
          type="checkbox"
          className="size-5"
          checked={enabled ?? false}
          disabled={status.data === undefined || setAuto.isPending}
          onChange={(e) => setAuto.mutate(e.target.checked)}
        />
        <span>Back up automatically</span>
      </label>
      <div role="status" aria-live="polite" aria-atomic="true">
        {status.isPending ? <p>Reading…</p> : status.data ? <StatusLine status={status.data} readAt={status.dataUpdatedAt} /> : null}
      </div>
      <ErrorMessage error={status.error ?? setAuto.error} />
      <Button variant="secondary" busy={backUp.isPending} onClick={() => backUp.mutate()}>
        Back up now
      </Button>
      <ErrorMessage error={backUp.error} />
      <DeleteOnlineBackups />
    </Card>
  )
}

const tones: Record<BackupStatusLine['tone'], string> = {
  neutral: 'text-slate-800 dark:text-slate-200',
  success: 'text-emerald-900 dark:text-emerald-200',
  warning: 'rounded-lg border border-amber-300 bg-amber-50 p-3 text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100',
  error: 'rounded-lg border border-red-300 bg-red-50 p-3 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100',
}

function StatusLine({ status, readAt }: { status: NonNullable<ReturnType<typeof useBackupStatus>['data']>; readAt: number }) {
  const activity = useAutoBackupActivity()
  const online = useOnlineStatus()
  // The status is read again whenever it changes; its read time stands for "now" (no clock in render).
  const line = backupStatusLine(status, { activity, online, now: readAt })
  return (
    <div className={`space-y-1 ${tones[line.tone]}`} data-testid="online-backup-status">
      <p className="font-semibold">{line.text}</p>
      {line.detail && <p className="text-sm">{line.detail}</p>}
      {line.offerRestore && (
        <p className="text-sm">
          <Link to="/backup/restore" className="font-semibold underline">
            Restore your records
          </Link>
        </p>
      )}
    </div>
  )
}

/** "Delete my online backups", with a confirmation step, then the result. */
function DeleteOnlineBackups() {
  const [confirming, setConfirming] = useState(false)
  const remove = useDeleteOnlineBackups()
  const questionId = useId()
  const triggerId = useId()
  const question = useRef<HTMLParagraphElement>(null)
  const opened = useRef(false)
  useEffect(() => {
    // Focus follows the step: to the question when it opens, back to the button when it closes.
    if (confirming) question.current?.focus()
    else if (opened.current) document.getElementById(triggerId)?.focus()
    opened.current = confirming
  }, [confirming, triggerId])

  return (
    <div className="space-y-3 border-t border-slate-200 pt-3 dark:border-slate-700">
      {confirming ? (
        <div role="group" aria-labelledby={questionId} className="space-y-3 rounded-lg border border-red-300 p-3 dark:border-red-800">
          <p id={questionId} ref={question} tabIndex={-1} className="outline-none">
            Delete every copy of your backup on the CareKey share host? The records on this device stay as they are. Automatic backup is turned off, and you
            can turn it on again later.
          </p>
          <div className="flex flex-wrap gap-3">
            <Button variant="danger" busy={remove.isPending} onClick={() => remove.mutate(undefined, { onSuccess: () => setConfirming(false) })}>
              Yes, delete the online copies
            </Button>
            <Button variant="secondary" disabled={remove.isPending} onClick={() => setConfirming(false)}>
              Cancel
            </Button>
          </div>
        </div>
      ) : (
        <Button
          id={triggerId}
          variant="secondary"
          onClick={() => {
            remove.reset()
            setConfirming(true)
          }}
        >
          Delete my online backups
        </Button>
      )}
      <div role="status" aria-live="polite">
        {remove.data && (
          <p>
            {remove.data.deleted === 0
              ? 'There were no online copies to delete.'
              : `Deleted ${remove.data.deleted} online ${remove.data.deleted === 1 ? 'copy' : 'copies'} of your backup.`}{' '}
            The records on this device are unchanged. Automatic backup is off.
          </p>
        )}
      </div>
      <ErrorMessage error={remove.error} />
    </div>
  )
}
