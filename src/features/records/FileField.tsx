import { useId } from 'react'

/** A labelled file picker with an optional hint and error. */
export function FileField({
  label,
  hint,
  error,
  accept,
  onFile,
}: {
  label: string
  hint?: string
  error?: string
  accept: string
  onFile: (file: File | undefined) => void
}) {
  const id = useId()
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block font-medium text-slate-900 dark:text-slate-100">
        {label}
      </label>
      {hint && (
        <p id={`${id}-hint`} className="text-sm text-slate-600 dark:text-slate-300">
          {hint}
        </p>
      )}
      <input
        id={id}
        type="file"
        accept={accept}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(e) => onFile(e.target.files?.[0])}
        className="block min-h-11 w-full rounded-lg border border-slate-400 bg-white p-2 text-base text-slate-900 file:mr-3 file:min-h-9 file:rounded-md file:border-0 file:bg-teal-700 file:px-3 file:font-semibold file:text-white dark:border-slate-500 dark:bg-slate-900 dark:text-slate-100"
      />
      {error && (
        <p id={`${id}-error`} className="text-sm font-medium text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  )
}
