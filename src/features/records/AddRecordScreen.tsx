import { Link } from '../../platform/router.tsx'
import { RECORD_FORMS } from '../../domain/records/forms.ts'
import { Page } from '../../ui/Page.tsx'

const HINTS: Record<string, string> = {
  allergy: 'Something you react to: a food, a medicine, pollen.',
  medication: 'A medicine you take or took.',
  condition: 'An illness or a diagnosis.',
  immunization: 'A vaccination you had.',
  lab: 'A test result, from a letter or a lab report.',
  note: 'Anything you want to remember.',
}

/** Choosing what to add: a record by hand, or a document (PDF or image). */
export function AddRecordScreen() {
  const choices = [
    ...RECORD_FORMS.map((f) => ({ kind: f.kind, label: f.label, hint: HINTS[f.kind] ?? '' })),
    { kind: 'document', label: 'Document', hint: 'A PDF or a photo of a letter, a scan or a report.' },
  ]
  return (
    <Page title="Add record" description="What would you like to add?">
      <ul className="grid gap-3 sm:grid-cols-2">
        {choices.map((c) => (
          <li key={c.kind}>
            <Link
              to="/records/new/$kind"
              params={{ kind: c.kind }}
              className="flex min-h-11 flex-col rounded-xl border border-slate-200 bg-white p-4 hover:border-teal-600 focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-teal-600 dark:border-slate-700 dark:bg-slate-900"
            >
              <span className="font-semibold text-teal-900 dark:text-teal-200">{c.label}</span>
              <span className="text-sm text-slate-700 dark:text-slate-300">{c.hint}</span>
            </Link>
          </li>
        ))}
      </ul>
    </Page>
  )
}
