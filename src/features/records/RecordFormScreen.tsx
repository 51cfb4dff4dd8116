import type { Resource } from '@medplum/fhirtypes'
import { useState, type FormEvent } from 'react'
import { useDirtyForm } from '../../platform/index.ts'
import { Link, useNavigate } from '../../platform/router.tsx'
import { ScreenLoading } from '../../platform/index.ts'
import { recordForm, type FormErrors, type FormField, type FormValues, type RecordForm, type RecordKind } from '../../domain/records/forms.ts'
import { Button } from '../../ui/Button.tsx'
import { ErrorMessage, Notice } from '../../ui/ErrorMessage.tsx'
import { TextAreaField, TextField } from '../../ui/Field.tsx'
import { Page } from '../../ui/Page.tsx'
import { useRecord, useSaveRecord } from './hooks.ts'

/** Adds a record of a kind by hand. */
export function NewRecordScreen({ kind }: { kind: RecordKind }) {
  const form = recordForm(kind)
  if (!form) return <UnknownKind />
  return <RecordFormPage form={form} />
}

/** Edits a record with the form of its kind. */
export function EditRecordScreen({ id }: { id: string }) {
  const record = useRecord(id)
  if (record.isPending) return <ScreenLoading />
  if (record.isError) {
    return (
      <Page title="Edit record">
        <ErrorMessage error={record.error} />
      </Page>
    )
  }
  const form = recordForm(record.data.resource)
  if (!form) {
    return (
      <Page title="Edit record">
        <Notice>This kind of record cannot be edited in CareKey. You can delete it, or import a corrected copy.</Notice>
      </Page>
    )
  }
  return <RecordFormPage form={form} id={id} original={record.data.resource} />
}

function UnknownKind() {
  return (
    <Page title="Add record">
      <Notice>There is no form for this kind of record.</Notice>
      <Link to="/records/new" className="inline-flex min-h-11 items-center font-medium text-teal-800 underline dark:text-teal-300">
        Choose what to add
      </Link>
    </Page>
  )
}

function RecordFormPage({ form, id, original }: { form: RecordForm; id?: string; original?: Resource }) {
  const [initial] = useState<FormValues>(() => form.values(original))
  const [values, setValues] = useState<FormValues>(initial)
  const [errors, setErrors] = useState<FormErrors>({})
  const save = useSaveRecord()
  const navigate = useNavigate()
  // Typed but not saved: an app update must wait instead of reloading under the form.
  useDirtyForm(!save.isSuccess && form.fields.some((f) => (values[f.name] ?? '') !== (initial[f.name] ?? '')))
  const title = original ? `Edit ${form.label.toLowerCase()}` : `Add ${form.label.toLowerCase()}`

  const submit = (event: FormEvent) => {
    event.preventDefault()
    const built = form.build(values, original)
    if (!built.ok) {
      setErrors(built.errors)
      const first = form.fields.find((f) => built.errors[f.name])
      if (first) document.getElementById(fieldId(first.name))?.focus()
      return
    }
    setErrors({})
    save.mutate({ resource: built.resource, id }, { onSuccess: (summary) => void navigate({ to: '/records/$recordId', params: { recordId: summary.id }, replace: true }) })
  }

  return (
    <Page title={title}>
      <form onSubmit={submit} noValidate autoComplete="off" className="space-y-4">
        {form.fields.map((field) => (
          <Field
            key={field.name}
            field={field}
            value={values[field.name] ?? ''}
            error={errors[field.name]}
            onChange={(value) => setValues({ ...values, [field.name]: value })}
          />
        ))}
        <ErrorMessage error={save.error} />
        <div className="flex flex-wrap gap-3">
          <Button type="submit" busy={save.isPending}>
            {save.isPending ? 'Saving…' : original ? 'Save changes' : `Save ${form.label.toLowerCase()}`}
          </Button>
          <Button variant="secondary" onClick={() => window.history.back()}>
            Cancel
          </Button>
        </div>
      </form>
    </Page>
  )
}

const fieldId = (name: string) => `record-field-${name}`

function Field({ field, value, error, onChange }: { field: FormField; value: string; error: string | undefined; onChange: (value: string) => void }) {
  const label = field.required ? field.label : `${field.label} (optional)`
  if (field.input === 'textarea') {
    return <TextAreaField id={fieldId(field.name)} label={label} hint={field.hint} error={error} rows={5} value={value} onChange={(e) => onChange(e.target.value)} />
  }
  if (field.input === 'select') {
    const id = fieldId(field.name)
    return (
      <div className="space-y-1">
        <label htmlFor={id} className="block font-medium text-slate-900 dark:text-slate-100">
          {label}
        </label>
        <select
          id={id}
          value={value}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          onChange={(e) => onChange(e.target.value)}
          className="block min-h-11 w-full rounded-lg border border-slate-400 bg-white px-3 text-base dark:border-slate-500 dark:bg-slate-900 dark:text-slate-100"
        >
          <option value="">{field.required ? 'Choose…' : 'Not specified'}</option>
          {field.options?.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
        {error && (
          <p id={`${id}-error`} className="text-sm font-medium text-red-700 dark:text-red-400">
            {error}
          </p>
        )}
      </div>
    )
  }
  return (
    <TextField
      id={fieldId(field.name)}
      label={label}
      hint={field.hint}
      error={error}
      type={field.input === 'date' ? 'date' : 'text'}
      value={value}
      onChange={(e) => onChange(e.target.value)}
    />
  )
}
