import type { InputHTMLAttributes, ReactNode } from 'react'

/**
 * A radio button or checkbox with its label and an optional description, as one 44 px tall
 * target: the whole row is the label, so a tap anywhere on it chooses.
 */
export function Choice({
  type,
  label,
  description,
  className = '',
  ...input
}: { type: 'radio' | 'checkbox'; label: ReactNode; description?: ReactNode } & Omit<InputHTMLAttributes<HTMLInputElement>, 'type'>) {
  return (
    <label
      className={`flex min-h-11 cursor-pointer items-start gap-3 rounded-lg border border-slate-300 px-3 py-2 has-checked:border-teal-700 has-checked:bg-teal-50 has-focus-visible:outline-3 has-focus-visible:outline-teal-600 dark:border-slate-600 dark:has-checked:border-teal-400 dark:has-checked:bg-slate-800 ${className}`}
    >
      <input type={type} className="mt-1 size-5 shrink-0 accent-teal-700 dark:accent-teal-400" {...input} />
      <span className="min-w-0">
        <span className="block font-medium text-slate-900 dark:text-slate-100">{label}</span>
        {description && <span className="block text-sm text-slate-700 dark:text-slate-300">{description}</span>}
      </span>
    </label>
  )
}

/**
 * A group of choices with a legend and, when something is wrong, its message. `hideLegend`
 * leaves the legend to screen readers where a heading above already says it (a step's heading).
 */
export function ChoiceGroup({
  legend,
  hideLegend = false,
  hint,
  error,
  errorId,
  children,
}: {
  legend: string
  hideLegend?: boolean
  hint?: ReactNode
  error?: string
  errorId?: string
  children: ReactNode
}) {
  return (
    <fieldset className="space-y-2" aria-describedby={error && errorId ? errorId : undefined}>
      <legend className={hideLegend ? 'sr-only' : 'mb-1 text-lg font-semibold text-slate-900 dark:text-slate-100'}>{legend}</legend>
      {hint && <p className="text-sm text-slate-700 dark:text-slate-300">{hint}</p>}
      {error && (
        <p id={errorId} className="text-sm font-medium text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
      {children}
    </fieldset>
  )
}
