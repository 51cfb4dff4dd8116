import { useEffect, type ReactNode } from 'react'

/**
 * A screen: its heading (the main region's h1, focusable from script only) is where focus
 * lands when the screen opens (the app's `followScreenHeadings` moves it there after a route
 * change, never on the first page load), and the document title follows. The browser keeps
 * document titles on disk in plaintext (history, session restore): a screen whose title holds
 * health data or a name gives a generic `documentTitle` instead.
 */
export function Page({
  title,
  documentTitle = title,
  description,
  children,
  actions,
}: {
  title: string
  documentTitle?: string
  description?: ReactNode
  children: ReactNode
  actions?: ReactNode
}) {
  useEffect(() => {
    document.title = `${documentTitle} · CareKey`
  }, [documentTitle])
  return (
    <section aria-labelledby="page-title" className="mx-auto w-full max-w-2xl space-y-5 px-4 py-6">
      <header className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0 space-y-1">
          <h1 id="page-title" tabIndex={-1} className="text-2xl font-bold text-slate-900 outline-none dark:text-slate-50">
            {title}
          </h1>
          {description && <p className="text-slate-700 dark:text-slate-300">{description}</p>}
        </div>
        {actions}
      </header>
      {children}
    </section>
  )
}

/** A titled block on a screen. */
export function Card({ title, label, children, className = '' }: { title?: string; label?: string; children: ReactNode; className?: string }) {
  return (
    <section aria-label={label} className={`space-y-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-700 dark:bg-slate-900 ${className}`}>
      {title && <h2 className="text-lg font-semibold text-slate-900 dark:text-slate-100">{title}</h2>}
      {children}
    </section>
  )
}
