import type { ReactNode } from 'react'

/**
 * The viewer's red state: something is wrong with the link, the consent or the share. Screens
 * put it in an alert `LiveRegion` that is on the page before it, so that it is announced.
 */
export function Problem({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section aria-labelledby="problem-title" className="space-y-2 rounded-xl border-2 border-red-700 bg-red-50 p-4 text-red-950 dark:border-red-500 dark:bg-red-950 dark:text-red-50">
      <h2 id="problem-title" className="text-lg font-bold">
        {title}
      </h2>
      {children}
    </section>
  )
}
