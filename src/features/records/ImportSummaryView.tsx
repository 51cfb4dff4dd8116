import { Link } from '../../platform/router.tsx'
import { Notice } from '../../ui/ErrorMessage.tsx'
import type { ImportSummary } from './recordsActions.ts'

const SHOWN_REJECTIONS = 50

/** What an import did: imported, skipped as duplicates, rejected and why. */
export function ImportSummaryView({ summary }: { summary: ImportSummary }) {
  const { imported, duplicates, rejected } = summary
  return (
    <Notice tone={rejected.length ? 'warning' : 'success'} className="space-y-2">
      <div role="status">
        <h2 className="font-semibold">
          Import finished: {imported} {imported === 1 ? 'record' : 'records'} imported
        </h2>
      </div>
      <ul className="list-disc space-y-0.5 pl-5" aria-label="Import summary">
        <li>{imported} imported</li>
        <li>{duplicates} skipped: already in your wallet</li>
        <li>{rejected.length} rejected</li>
      </ul>
      {rejected.length > 0 && (
        <details>
          <summary className="min-h-11 cursor-pointer py-2 font-medium">Why {rejected.length === 1 ? 'one part was' : `${rejected.length} parts were`} rejected</summary>
          <ul className="list-disc space-y-1 pl-5 text-sm">
            {rejected.slice(0, SHOWN_REJECTIONS).map((r) => (
              <li key={r.position}>
                <span className="font-medium">{r.position}</span>
                {r.resourceType ? ` (${r.resourceType})` : ''}: {r.reason}
              </li>
            ))}
            {rejected.length > SHOWN_REJECTIONS && <li>…and {rejected.length - SHOWN_REJECTIONS} more.</li>}
          </ul>
        </details>
      )}
      {imported > 0 && (
        <Link to="/records" className="inline-flex min-h-11 items-center font-semibold text-teal-900 underline dark:text-teal-200">
          See your records
        </Link>
      )}
    </Notice>
  )
}
