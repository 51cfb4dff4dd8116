import { useMemo } from 'react'
import type { Resource } from '@medplum/fhirtypes'
import { categoryOf, RECORD_CATEGORIES } from '../../domain/fhir/categories.ts'
import { describeResource } from '../../domain/fhir/describe.ts'
import { fhirDateSortKey, formatFhirDate } from '../../domain/fhir/display.ts'
import { FactList } from '../../ui/FactList.tsx'

/** The shared records, grouped by category in CareKey's usual order, newest first in each group. */
export function SharedRecordsView({ resources }: { resources: readonly Resource[] }) {
  const groups = useMemo(() => {
    const described = resources.map((resource) => ({ resource, category: categoryOf(resource), description: describeResource(resource) }))
    return RECORD_CATEGORIES.map((c) => ({
      ...c,
      records: described
        .filter((d) => d.category === c.id)
        .sort((a, b) => fhirDateSortKey(b.description.date) - fhirDateSortKey(a.description.date)),
    })).filter((g) => g.records.length > 0)
  }, [resources])

  return (
    <div className="space-y-6">
      {groups.map((group) => (
        <section key={group.id} aria-labelledby={`shared-${group.id}`} className="space-y-3">
          <h2 id={`shared-${group.id}`} className="text-xl font-semibold">
            {group.label} <span className="text-base font-normal text-slate-600 dark:text-slate-400">({group.records.length})</span>
          </h2>
          <ul className="space-y-3">
            {group.records.map(({ description }, i) => (
              <li key={i} className="space-y-2 rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-700 dark:bg-slate-900">
                <div className="flex flex-wrap items-baseline justify-between gap-2">
                  <h3 className="min-w-0 font-semibold break-words">{description.title}</h3>
                  {description.date && <span className="text-sm text-slate-600 dark:text-slate-400">{formatFhirDate(description.date)}</span>}
                </div>
                {description.detail && <p className="text-slate-800 dark:text-slate-200">{description.detail}</p>}
                {description.facts.length > 0 && (
                  <details>
                    <summary className="inline-flex min-h-11 cursor-pointer items-center font-medium text-teal-800 dark:text-teal-300">Details</summary>
                    <FactList facts={description.facts} />
                  </details>
                )}
                {description.text && <p className="break-words whitespace-pre-wrap">{description.text}</p>}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  )
}
