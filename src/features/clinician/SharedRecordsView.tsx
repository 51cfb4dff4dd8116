import { useId, useMemo } from 'react'
import type { Resource } from '@medplum/fhirtypes'
import { categoryOf, RECORD_CATEGORIES } from '../../domain/fhir/categories.ts'
import { describeResource, type ResourceDescription } from '../../domain/fhir/describe.ts'
import { fhirDateSortKey, formatFhirDate } from '../../domain/fhir/display.ts'
import { referencedResources } from '../../domain/fhir/references.ts'
import { FactList } from '../../ui/FactList.tsx'
import { SharedPatient } from './SharedPatient.tsx'

type SharedRecord = { resource: Resource; key: string; description: ResourceDescription }

/**
 * Who the records are about (the share's Patient), then the shared records grouped by category in
 * CareKey's usual order, newest first in each group; a report lists those of its results that were
 * shared with it, each a step away.
 */
export function SharedRecordsView({ resources }: { resources: readonly Resource[] }) {
  const prefix = useId()
  const { patients, groups, byResource } = useMemo(() => {
    const patients = resources.filter((r) => r.resourceType === 'Patient').map((r) => describeResource(r))
    const described: SharedRecord[] = resources
      .filter((r) => r.resourceType !== 'Patient')
      .map((resource, i) => ({ resource, key: `${prefix}record-${i}`, description: describeResource(resource) }))
    const groups = RECORD_CATEGORIES.map((c) => ({
      ...c,
      records: described
        .filter((d) => categoryOf(d.resource) === c.id)
        .sort((a, b) => fhirDateSortKey(b.description.date) - fhirDateSortKey(a.description.date)),
    })).filter((g) => g.records.length > 0)
    return { patients, groups, byResource: new Map(described.map((d) => [d.resource, d])) }
  }, [resources, prefix])

  const resultsOf = (resource: Resource): (SharedRecord | undefined)[] =>
    resource.resourceType === 'DiagnosticReport' && resource.result?.length
      ? referencedResources(resources, resource.result.map((r) => r.reference)).map((r) => r && byResource.get(r))
      : []

  return (
    <div className="space-y-6">
      <SharedPatient patients={patients} />
      {groups.map((group) => (
        <section key={group.id} aria-labelledby={`shared-${group.id}`} className="space-y-3">
          <h2 id={`shared-${group.id}`} className="text-xl font-semibold">
            {group.label} <span className="text-base font-normal text-slate-600 dark:text-slate-400">({group.records.length})</span>
          </h2>
          <ul className="space-y-3">
            {group.records.map((record) => (
              <SharedRecordItem key={record.key} record={record} results={resultsOf(record.resource)} />
            ))}
          </ul>
        </section>
      ))}
    </div>
  )
}

function SharedRecordItem({ record, results }: { record: SharedRecord; results: (SharedRecord | undefined)[] }) {
  const { description } = record
  const shared = results.filter((r): r is SharedRecord => r !== undefined)
  const missing = results.length - shared.length
  return (
    <li
      id={record.key}
      tabIndex={-1}
      className="space-y-2 rounded-xl border border-slate-200 bg-white p-4 focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-teal-600 dark:border-slate-700 dark:bg-slate-900"
    >
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h3 className="min-w-0 font-semibold break-words">{description.title}</h3>
        {description.date && <span className="text-sm text-slate-600 dark:text-slate-400">{formatFhirDate(description.date)}</span>}
      </div>
      {description.detail && <p className="break-words text-slate-800 dark:text-slate-200">{description.detail}</p>}
      {shared.length > 0 && (
        <div className="space-y-1">
          <p className="font-medium">Results in this share</p>
          <ul aria-label={`Results of ${description.title}`} className="space-y-1">
            {shared.map((result) => (
              <li key={result.key}>
                <button
                  type="button"
                  onClick={() => showRecord(result.key)}
                  className="inline-flex min-h-11 flex-col items-start text-left focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-teal-600"
                >
                  <span className="font-medium break-words text-teal-800 underline dark:text-teal-300">{result.description.title}</span>
                  {result.description.detail && <span className="text-sm break-words text-slate-700 dark:text-slate-300">{result.description.detail}</span>}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      {missing > 0 && (
        <p className="text-sm text-slate-700 dark:text-slate-300">
          {missing === 1 ? 'One of its results is' : `${missing} of its results are`} not in this share.
        </p>
      )}
      {description.facts.length > 0 && (
        <details>
          <summary className="inline-flex min-h-11 cursor-pointer items-center font-medium text-teal-800 dark:text-teal-300">Details</summary>
          <FactList facts={description.facts} />
        </details>
      )}
      {description.text && <p className="break-words whitespace-pre-wrap">{description.text}</p>}
    </li>
  )
}

/** Moves focus to a shared record, which brings it into view (no address change: the viewer's address stays clean of fragments). */
function showRecord(key: string): void {
  document.getElementById(key)?.focus()
}
