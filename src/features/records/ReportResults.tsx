import type { DiagnosticReport } from '@medplum/fhirtypes'
import { useMemo } from 'react'
import { Link } from '../../platform/router.tsx'
import { referenceText } from '../../domain/fhir/display.ts'
import { referencedRecords } from '../../domain/records/search.ts'
import type { RecordSummary } from '../../domain/records/summary.ts'
import { Card } from '../../ui/Page.tsx'
import { useRecordsIndex } from './summaries.ts'

/**
 * A report's results: each one that is in the wallet links to it, with its value and whether it
 * is high or low; a result the wallet does not hold says so.
 */
export function ReportResults({ summary, report }: { summary: RecordSummary; report: DiagnosticReport }) {
  const index = useRecordsIndex()
  const found = useMemo(
    () => (index.data ? referencedRecords(index.data, summary, (report.result ?? []).map((r) => r.reference)) : []),
    [index.data, summary, report],
  )
  const results = report.result ?? []
  if (results.length === 0) return null
  return (
    <Card title="Results" label="Results of this report">
      <ul className="divide-y divide-slate-200 dark:divide-slate-700">
        {results.map((result, i) => {
          const record = found[i]
          return (
            <li key={i} className="py-1">
              {record ? (
                <Link
                  to="/records/$recordId"
                  params={{ recordId: record.id }}
                  className="flex min-h-11 flex-col justify-center py-1 focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-teal-600"
                >
                  <span className="font-semibold break-words text-teal-800 underline dark:text-teal-300">{record.title}</span>
                  {record.detail && <span className="text-sm break-words text-slate-700 dark:text-slate-300">{record.detail}</span>}
                </Link>
              ) : (
                <p className="flex min-h-11 flex-col justify-center py-1">
                  <span className="break-words">{referenceText(result) ?? 'A result'}</span>
                  <span className="text-sm text-slate-700 dark:text-slate-300">Not in your wallet: it was not in the files you imported.</span>
                </p>
              )}
            </li>
          )
        })}
      </ul>
    </Card>
  )
}
