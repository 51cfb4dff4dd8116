import { Suspense } from 'react'
import { SafariStorageNotice } from '../../platform/SafariStorageNotice.tsx'
import { ScreenLoading } from '../../platform/ScreenLoading.tsx'
import { Page } from '../../ui/Page.tsx'
import { BackupFileCards } from '../records/index.ts'
import { useNoteBackupFileExported } from './hooks.ts'
import { OnlineBackupCard } from './OnlineBackupCard.tsx'

/** '/records/backup': Safari's seven-day rule where it applies, the online backup, then the backup file, storage on this device and the FHIR export. */
export function BackupScreen() {
  const noteExport = useNoteBackupFileExported()
  return (
    <Page title="Backup and storage">
      <SafariStorageNotice screen="backup" />
      <OnlineBackupCard />
      <Suspense fallback={<ScreenLoading />}>
        <BackupFileCards onBackupExported={() => noteExport.mutate()} />
      </Suspense>
    </Page>
  )
}
