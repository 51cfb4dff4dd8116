import { AddDocumentScreen } from './AddDocumentScreen.tsx'
import { AddRecordScreen } from './AddRecordScreen.tsx'
import { BackupScreen } from './BackupScreen.tsx'
import { ImportScreen } from './ImportScreen.tsx'
import { RecordDetailScreen } from './RecordDetailScreen.tsx'
import { EditRecordScreen, NewRecordScreen } from './RecordFormScreen.tsx'
import { RecordTimeline } from './RecordTimeline.tsx'
import { RECORD_FORMS, type RecordKind } from '../../domain/records/forms.ts'

/**
 * Every records screen, by the path after /records/: '' timeline, 'new' and 'new/<kind>' add,
 * 'import', 'backup', '<id>' a record, '<id>/edit' its form.
 */
export function RecordsScreen({ rest }: { rest: string }) {
  const [first = '', second] = rest.split('/')
  if (first === '') return <RecordTimeline />
  if (first === 'import') return <ImportScreen />
  if (first === 'backup') return <BackupScreen />
  if (first === 'new') {
    if (second === 'document') return <AddDocumentScreen key={rest} />
    const kind = RECORD_FORMS.find((f) => f.kind === second)?.kind
    return kind ? <NewRecordScreen key={rest} kind={kind satisfies RecordKind} /> : <AddRecordScreen />
  }
  if (second === 'edit') return <EditRecordScreen key={rest} id={first} />
  return <RecordDetailScreen key={rest} id={first} />
}
