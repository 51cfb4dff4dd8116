import { useEffect } from 'react'
import { Button } from '../../ui/Button.tsx'
import { Notice } from '../../ui/ErrorMessage.tsx'
import { Card } from '../../ui/Page.tsx'
import { saveFile } from '../../ui/saveFile.ts'
import { ShareFiles } from './ShareFiles.tsx'
import { SharedRecordsView } from './SharedRecordsView.tsx'
import { measureSince, SHARE_OPEN_MARK, SHARE_OPENED_MEASURE } from './marks.ts'
import type { OpenedRecords, ViewerLink } from './viewerActions.ts'

/** The opened share: its other files if any, warnings about what is out of scope or unreadable, the records, a download. */
export function OpenedRecordsView({ viewer, opened, onOpened }: { viewer: ViewerLink; opened: OpenedRecords; onOpened: (opened: OpenedRecords) => void }) {
  // Once the records are in the document: the end of the open step the benchmarks time.
  useEffect(() => measureSince(SHARE_OPEN_MARK, SHARE_OPENED_MEASURE), [])
  return (
    <div className="space-y-5">
      <ShareFiles viewer={viewer} opened={opened} onOpened={onOpened} />
      {opened.outOfScope.length > 0 && (
        <Notice tone="warning">
          <p className="font-semibold">
            {opened.outOfScope.length} shared {opened.outOfScope.length === 1 ? 'record is' : 'records are'} outside the consented categories.
          </p>
        </Notice>
      )}
      {opened.rejected.length > 0 && (
        <Notice tone="warning">
          <p>
            {opened.rejected.length} {opened.rejected.length === 1 ? 'entry' : 'entries'} could not be read as FHIR R4 records and{' '}
            {opened.rejected.length === 1 ? 'is' : 'are'} not shown.
          </p>
        </Notice>
      )}
      {opened.resources.length === 0 ? <p>The share holds no records.</p> : <SharedRecordsView resources={opened.resources} />}
      <Card title="Keep a copy">
        <p className="text-sm text-slate-700 dark:text-slate-300">
          Nothing is kept on this device when you close the page. To keep the records, download them as FHIR JSON.
        </p>
        <Button variant="secondary" onClick={() => saveFile(new Blob([opened.plaintext as BlobPart], { type: 'application/fhir+json' }), 'shared-records.fhir.json')}>
          Download FHIR JSON
        </Button>
      </Card>
    </div>
  )
}
