import { useMutation } from '@tanstack/react-query'
import { Button } from '../../ui/Button.tsx'
import { ErrorMessage } from '../../ui/ErrorMessage.tsx'
import { Card } from '../../ui/Page.tsx'
import { openRecordsFile, type OpenedRecords, type ViewerLink } from './viewerActions.ts'

/**
 * For a share of several records files: which one is shown, and a way to open each other one.
 * A file is fetched and decrypted only when the clinician opens it, and the one shown before is
 * let go. Nothing for a share of one file (every share CareKey makes).
 */
export function ShareFiles({ viewer, opened, onOpened }: { viewer: ViewerLink; opened: OpenedRecords; onOpened: (opened: OpenedRecords) => void }) {
  const open = useMutation({
    mutationFn: (index: number) => openRecordsFile(viewer, opened.recordFiles, index),
    onSuccess: onOpened,
  })
  const count = opened.recordFiles.length
  if (count < 2) return null
  return (
    <Card title="Files in this share">
      <p className="text-sm text-slate-700 dark:text-slate-300">
        This share holds {count} files of records. You are reading file {opened.shown + 1}; another file is downloaded and decrypted only
        when you open it.
      </p>
      <div className="flex flex-wrap gap-2">
        {opened.recordFiles.map((_, index) =>
          index === opened.shown ? null : (
            <Button key={index} variant="secondary" busy={open.isPending && open.variables === index} onClick={() => open.mutate(index)}>
              Open file {index + 1}
            </Button>
          ),
        )}
      </div>
      <ErrorMessage error={open.error} />
    </Card>
  )
}
