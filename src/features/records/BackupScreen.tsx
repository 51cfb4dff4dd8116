import { useState, type FormEvent } from 'react'
import { formatBytes } from '../../domain/fhir/errors.ts'
import { BACKUP_FILE_EXTENSION } from '../../domain/records/backup.ts'
import { Button } from '../../ui/Button.tsx'
import { ErrorMessage, Notice } from '../../ui/ErrorMessage.tsx'
import { Card } from '../../ui/Page.tsx'
import { saveFile } from '../../ui/saveFile.ts'
import { FileField } from './FileField.tsx'
import { useExportBackup, useExportFhirBundle, useRestoreBackup, useStorageUsage } from './hooks.ts'
import { useStoragePersistence } from './persistence.ts'
import { StoragePersistenceNotice } from '../../platform/StoragePersistenceNotice.tsx'

/**
 * The records' part of the Backup and storage screen (the backup feature's, '/records/backup'):
 * the encrypted backup file and its restore, how much the wallet stores, a plain FHIR export.
 * `onBackupExported` is told when a backup file was saved.
 */
export function BackupFileCards({ onBackupExported }: { onBackupExported?: () => void }) {
  return (
    <>
      <ExportBackupCard onExported={onBackupExported} />
      <RestoreBackupCard />
      <StorageCard />
      <ExportFhirCard />
    </>
  )
}

function ExportBackupCard({ onExported }: { onExported: (() => void) | undefined }) {
  const backup = useExportBackup()
  return (
    <Card title="Back up your records">
      <p className="text-slate-700 dark:text-slate-300">
        A backup file holds all your records and files, encrypted. Only your recovery phrase can open it, on this device or another. Keep it somewhere
        safe outside this browser: if this browser's data is cleared, the backup is how your records come back.
      </p>
      <Button
        onClick={() =>
          backup.mutate(undefined, {
            onSuccess: ({ file, fileName }) => {
              saveFile(file, fileName)
              onExported?.()
            },
          })
        }
        busy={backup.isPending}
      >
        {backup.isPending ? 'Encrypting backup…' : 'Export backup'}
      </Button>
      <div role="status" aria-live="polite">
        {backup.data && (
          <Notice tone="success">
            Backup saved as <span className="font-semibold break-all">{backup.data.fileName}</span> ({backup.data.records}{' '}
            {backup.data.records === 1 ? 'record' : 'records'}, {formatBytes(backup.data.file.size)}).
          </Notice>
        )}
      </div>
      <ErrorMessage error={backup.error} />
    </Card>
  )
}

function RestoreBackupCard() {
  const [file, setFile] = useState<File>()
  const [missing, setMissing] = useState(false)
  const restore = useRestoreBackup()
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (!file) {
      setMissing(true)
      return
    }
    restore.mutate(file)
  }
  return (
    <Card title="Restore a backup">
      <p className="text-slate-700 dark:text-slate-300">Records already in your wallet are kept; the backup adds what is missing, without duplicates.</p>
      <form onSubmit={submit} noValidate className="space-y-4">
        <FileField
          label="Backup file"
          hint={`The ${BACKUP_FILE_EXTENSION} file you exported.`}
          accept={`${BACKUP_FILE_EXTENSION},application/octet-stream`}
          error={missing && !file ? 'Choose a backup file.' : undefined}
          onFile={(f) => {
            setFile(f)
            restore.reset()
          }}
        />
        <Button type="submit" busy={restore.isPending}>
          {restore.isPending ? 'Restoring…' : 'Restore backup'}
        </Button>
      </form>
      <div role="status" aria-live="polite">
        {restore.data && (
          <Notice tone="success">
            Restore finished: {restore.data.restored} {restore.data.restored === 1 ? 'record' : 'records'} restored, {restore.data.alreadyPresent} already in your
            wallet.
          </Notice>
        )}
      </div>
      <ErrorMessage error={restore.error} />
    </Card>
  )
}

function StorageCard() {
  const usage = useStorageUsage()
  const persistence = useStoragePersistence()
  const data = usage.data
  return (
    <Card title="Storage on this device">
      {usage.isPending ? (
        <p>Reading…</p>
      ) : !data ? (
        <p>This browser does not say how much space CareKey uses.</p>
      ) : (
        <>
          <p data-testid="storage-usage">
            CareKey uses <span className="font-semibold">{formatBytes(data.usage)}</span>
            {data.quota > 0 ? ` of the ${formatBytes(data.quota)} this browser allows.` : '.'}
          </p>
          {data.quota > 0 && (
            <progress className="h-2 w-full" max={data.quota} value={data.usage} aria-label="Storage used">
              {Math.round((data.usage / data.quota) * 100)}%
            </progress>
          )}
        </>
      )}
      <StoragePersistenceNotice {...persistence} />
      <ErrorMessage error={usage.error} />
    </Card>
  )
}

function ExportFhirCard() {
  const exporting = useExportFhirBundle()
  return (
    <Card title="Export as FHIR">
      <p className="text-slate-700 dark:text-slate-300">
        All your records as one FHIR R4 file that other health apps can read. This file is <strong>not encrypted</strong>: anyone who gets it can read it.
      </p>
      <Button
        variant="secondary"
        busy={exporting.isPending}
        onClick={() => exporting.mutate()}
      >
        Download FHIR file (not encrypted)
      </Button>
      <ErrorMessage error={exporting.error} />
    </Card>
  )
}
