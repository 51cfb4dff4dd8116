import { Field } from '../../ui/Field.tsx'

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
  return (
    <Field label={label} hint={hint} error={error}>
      {(control) => (
        <input
          {...control}
          type="file"
          accept={accept}
          onChange={(e) => onFile(e.target.files?.[0])}
          className="block min-h-11 w-full rounded-lg border border-slate-400 bg-white p-2 text-base text-slate-900 file:mr-3 file:min-h-9 file:rounded-md file:border-0 file:bg-teal-700 file:px-3 file:font-semibold file:text-white dark:border-slate-500 dark:bg-slate-900 dark:text-slate-100"
        />
      )}
    </Field>
  )
}
