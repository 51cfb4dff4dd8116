import type { ResourceDescription } from '../../domain/fhir/describe.ts'
import { FactList } from '../../ui/FactList.tsx'

/** Who the shared records are about (the share's FHIR Patient records), above the records. */
export function SharedPatient({ patients }: { patients: readonly ResourceDescription[] }) {
  if (patients.length === 0) return null
  return (
    <section aria-labelledby="shared-patient" className="space-y-3 rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-700 dark:bg-slate-900">
      <h2 id="shared-patient" className="text-xl font-semibold">
        About the patient
      </h2>
      {patients.map((patient, i) => (
        <div key={i} className="space-y-2">
          <h3 className="text-lg font-semibold break-words">{patient.title}</h3>
          {patient.detail && <p className="break-words text-slate-800 dark:text-slate-200">{patient.detail}</p>}
          <FactList facts={patient.facts.filter((f) => f.label !== 'Name')} />
        </div>
      ))}
    </section>
  )
}
