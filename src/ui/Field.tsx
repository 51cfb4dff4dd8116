import { useId, type InputHTMLAttributes, type ReactNode, type TextareaHTMLAttributes } from 'react'

type Common = { label: ReactNode; hint?: ReactNode; error?: ReactNode }

const inputClass =
  'block w-full min-h-11 rounded-lg border border-slate-400 bg-white px-3 py-2 text-base text-slate-900 placeholder:text-slate-500 focus-visible:outline-3 focus-visible:outline-offset-1 focus-visible:outline-teal-600 aria-invalid:border-red-700 dark:border-slate-500 dark:bg-slate-900 dark:text-slate-100 dark:placeholder:text-slate-400'

/** What a control inside a field needs: its id, and its description and invalid state for screen readers. */
type ControlProps = { id: string; 'aria-invalid': true | undefined; 'aria-describedby': string | undefined }

/**
 * A label, an optional hint, the control and an optional error, wired together for screen
 * readers. Every kind of field (text, text area, file) is this frame around its control.
 */
export function Field({ label, hint, error, id: givenId, children }: Common & { id?: string; children: (control: ControlProps) => ReactNode }) {
  const generated = useId()
  const id = givenId ?? generated
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
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
      {error && (
        <p id={`${id}-error`} className="text-sm font-medium text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  )
}

/** A labelled text input with an optional hint and error. */
export function TextField({ label, hint, error, id, className = '', ...rest }: Common & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <Field label={label} hint={hint} error={error} id={id}>
      {(control) => <input {...control} className={`${inputClass} ${className}`} {...rest} />}
    </Field>
  )
}

/** A labelled multi-line input. */
export function TextAreaField({ label, hint, error, id, className = '', ...rest }: Common & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return (
    <Field label={label} hint={hint} error={error} id={id}>
      {(control) => <textarea {...control} className={`${inputClass} ${className}`} {...rest} />}
    </Field>
  )
}
