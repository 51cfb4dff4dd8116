import { AddRecordScreen } from './AddRecordScreen.tsx'
import { NewRecordScreen } from './RecordFormScreen.tsx'
import { RECORD_FORMS } from '../../domain/records/forms.ts'

/** Every records screen, loaded together behind the records door. */
export { AddDocumentScreen } from './AddDocumentScreen.tsx'
export { AddRecordScreen } from './AddRecordScreen.tsx'
export { BackupFileCards } from './BackupScreen.tsx'
export { ImportScreen } from './ImportScreen.tsx'
export { RecordDetailScreen } from './RecordDetailScreen.tsx'
export { EditRecordScreen } from './RecordFormScreen.tsx'
export { RecordTimeline } from './RecordTimeline.tsx'

/** '/records/new/<kind>': the form for that kind of record, or the choice of kinds for one CareKey has no form for. */
export function NewRecordOfKindScreen({ kind }: { kind: string }) {
  const form = RECORD_FORMS.find((f) => f.kind === kind)
  return form ? <NewRecordScreen kind={form.kind} /> : <AddRecordScreen />
}
