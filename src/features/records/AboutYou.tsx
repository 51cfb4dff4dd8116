import { Link } from '../../platform/router.tsx'
import type { RecordSummary } from '../../domain/records/summary.ts'
import { Card } from '../../ui/Page.tsx'

/**
 * The patient the records are about, as their imported records describe them (a FHIR Patient):
 * shown above the timeline, not as a record in it. Two sources may each bring one.
 */
export function AboutYou({ patients }: { patients: readonly RecordSummary[] }) {
  if (patients.length === 0) return null
  return (
    <Card title="About you" label="About you">
      {patients.length > 1 && (
        <p className="text-sm text-slate-700 dark:text-slate-300">Your records come from {patients.length} sources, each with its own copy of your details.</p>
      )}
      {patients.map((patient) => (
        <div key={patient.id} className="space-y-1">
          <p className="text-lg font-semibold break-words text-slate-900 dark:text-slate-50">{patient.title}</p>
          {patient.detail && <p className="break-words text-slate-700 dark:text-slate-300">{patient.detail}</p>}
          <Link
            to="/records/$recordId"
            params={{ recordId: patient.id }}
            aria-label={patients.length > 1 ? `All your details: ${patient.title}` : undefined}
            className="inline-flex min-h-11 items-center font-medium text-teal-800 underline dark:text-teal-300"
          >
            All your details
          </Link>
        </div>
      ))}
    </Card>
  )
}
