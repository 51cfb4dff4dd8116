import type { ReactNode } from 'react'

/**
 * The chain's words (addresses, fingerprints, transaction hashes, block numbers, exact balances)
 * out of the patient's way: closed until asked for, under "Technical details". `facts` are
 * label–value pairs; values are shown whole and wrap anywhere.
 *
 * @example
 * <TechnicalDetails facts={[{ label: 'Block', value: '1234' }]} />
 */
export function TechnicalDetails({
  facts,
  children,
  summary = 'Technical details',
}: {
  facts: readonly { label: string; value: ReactNode; testId?: string }[]
  children?: ReactNode
  summary?: string
}) {
  return (
    <details className="rounded-lg border border-slate-200 px-3 text-sm text-slate-800 dark:border-slate-700 dark:text-slate-200" data-testid="technical-details">
      <summary className="min-h-11 cursor-pointer py-2.5 font-medium">{summary}</summary>
      <dl className="space-y-2 pb-3">
        {facts.map((fact) => (
          <div key={fact.label}>
            <dt className="font-semibold">{fact.label}</dt>
            <dd className="font-mono [overflow-wrap:anywhere]" data-testid={fact.testId}>
              {fact.value}
            </dd>
          </div>
        ))}
      </dl>
      {children}
    </details>
  )
}
