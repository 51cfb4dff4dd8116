import type { ReactNode } from 'react'
import { isCareKeyError } from '../domain/errors.ts'

/**
 * Shows a CareKeyError (its message and what to do) in an alert region. Any other error is a
 * bug: it is rethrown to the error boundary rather than shown as a stack trace. Inside a
 * `LiveRegion` that already announces it, `inLiveRegion` keeps it from being read twice.
 */
export function ErrorMessage({ error, className = '', inLiveRegion = false }: { error: unknown; className?: string; inLiveRegion?: boolean }) {
  if (error === null || error === undefined) return null
  if (!isCareKeyError(error)) throw error instanceof Error ? error : new Error('A non-error value was thrown')
  return (
    <div role={inLiveRegion ? undefined : 'alert'} className={`rounded-lg border border-red-300 bg-red-50 p-3 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100 ${className}`}>
      <p className="font-semibold">{error.userMessage}</p>
      {error.hint && <p className="mt-1 text-sm">{error.hint}</p>}
    </div>
  )
}

/** A calm informational or warning note. */
export function Notice({ tone = 'info', children, className = '' }: { tone?: NoticeTone; children: ReactNode; className?: string }) {
  return <div className={`${noticeClassName(tone)} ${className}`}>{children}</div>
}

type NoticeTone = 'info' | 'warning' | 'success'

/** A notice's look, for an element that must stay the same element while its tone changes (a live region's frame). */
export function noticeClassName(tone: NoticeTone): string {
  const tones = {
    info: 'border-sky-300 bg-sky-50 text-sky-950 dark:border-sky-800 dark:bg-sky-950 dark:text-sky-100',
    warning: 'border-amber-300 bg-amber-50 text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100',
    success: 'border-emerald-300 bg-emerald-50 text-emerald-950 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-100',
  }
  return `rounded-lg border p-3 ${tones[tone]}`
}
