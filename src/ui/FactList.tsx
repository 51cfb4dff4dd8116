import type { ReactNode } from 'react'

/** Label–value pairs (of a record, a consent…), as a description list that reflows on narrow screens. */
export function FactList({ facts }: { facts: readonly { label: string; value: ReactNode }[] }) {
  return (
    <dl className="grid grid-cols-1 gap-x-4 gap-y-2 sm:grid-cols-[minmax(8rem,auto)_1fr]">
      {facts.map((fact, i) => (
        <div key={`${fact.label}-${i}`} className="contents">
          <dt className="font-medium text-slate-600 dark:text-slate-400">{fact.label}</dt>
          <dd className="break-words whitespace-pre-wrap text-slate-900 dark:text-slate-100">{fact.value}</dd>
        </div>
      ))}
    </dl>
  )
}
