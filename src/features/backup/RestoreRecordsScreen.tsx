import { useEffect, useRef } from 'react'
import { BACKUP_FILE_EXTENSION } from '../../domain/records/backup.ts'
import { Link, useNavigate } from '../../platform/router.tsx'
import { Button } from '../../ui/Button.tsx'
import { ErrorMessage } from '../../ui/ErrorMessage.tsx'
import { Page } from '../../ui/Page.tsx'
import { useOnlineBackupSearch, useRestoreOnlineBackup } from './hooks.ts'
import { dateTimeText } from './statusLine.ts'

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`

/**
 * '/backup/restore', after a wallet is restored from its phrase (and open to an unlocked patient
 * at any time): looks for the wallet's online backup, says when it was made and what it holds,
 * and restores it on request, merged without duplicates like a backup file.
 */
export function RestoreRecordsScreen() {
  const search = useOnlineBackupSearch()
  const restore = useRestoreOnlineBackup(search.data)
  const navigate = useNavigate()
  const goToRecords = () => void navigate({ to: '/records' })
  const done = useRef<HTMLParagraphElement>(null)
  useEffect(() => {
    // The buttons change under the keyboard: the result takes the focus.
    if (restore.isSuccess) done.current?.focus()
  }, [restore.isSuccess])

  const looking = search.isFetching
  const found = !looking && search.data?.found ? search.data : undefined
  const none = !looking && search.data?.found === false
  const failed = !looking && search.isError

  return (
    <Page title="Restore your records">
      <div role="status" aria-live="polite" aria-atomic="true" className="space-y-2">
        {restore.data ? (
          <>
            <p ref={done} tabIndex={-1} className="font-semibold outline-none">
              Restored {count(restore.data.restored, 'record', 'records')}
            </p>
            {restore.data.alreadyPresent > 0 && <p>{count(restore.data.alreadyPresent, 'record was', 'records were')} already on this device.</p>}
          </>
        ) : restore.isPending ? (
          <p>Restoring…</p>
        ) : looking ? (
          <p>Looking for an online backup…</p>
        ) : found ? (
          <>
            <p className="font-semibold">
              Backup found: made <time dateTime={new Date(found.summary.createdAt).toISOString()}>{dateTimeText(found.summary.createdAt)}</time>,{' '}
              {count(found.summary.records, 'record', 'records')}, {count(found.summary.consents, 'consent', 'consents')}
            </p>
            {found.newerDamaged > 0 && (
              <p>
                {found.newerDamaged === 1 ? 'The newest copy at the share host is damaged' : `The ${found.newerDamaged} newest copies at the share host are damaged`}, so
                this is the newest whole one. Changes made after it are not in it.
              </p>
            )}
          </>
        ) : none ? (
          <>
            <p className="font-semibold">No online backup was found for this wallet.</p>
            <p>
              If you kept a backup file ({BACKUP_FILE_EXTENSION}), restore it in{' '}
              <Link to="/records/backup" className="font-semibold text-teal-800 underline dark:text-teal-300">
                Backup and storage
              </Link>
              .
            </p>
          </>
        ) : null}
      </div>
      {failed && <ErrorMessage error={search.error} />}
      <ErrorMessage error={restore.error} />
      <div className="flex flex-wrap gap-3">
        {restore.isSuccess || none ? (
          <Button onClick={goToRecords}>Go to my records</Button>
        ) : (
          <>
            {found && (
              <Button busy={restore.isPending} onClick={() => restore.mutate()}>
                Restore this backup
              </Button>
            )}
            {failed && <Button onClick={() => void search.refetch()}>Try again</Button>}
            <Button variant="secondary" disabled={restore.isPending} onClick={goToRecords}>
              Not now
            </Button>
          </>
        )}
      </div>
    </Page>
  )
}
