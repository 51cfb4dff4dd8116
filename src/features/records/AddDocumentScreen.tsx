import { useId, useState, type FormEvent } from 'react'
import { useNavigate } from '../../platform/router.tsx'
import { formatBytes } from '../../domain/fhir/errors.ts'
import { MAX_ATTACHMENT_BYTES } from '../../domain/records/attachments.ts'
import { Button } from '../../ui/Button.tsx'
import { ErrorMessage } from '../../ui/ErrorMessage.tsx'
import { TextField } from '../../ui/Field.tsx'
import { Page } from '../../ui/Page.tsx'
import { useAddDocument } from './hooks.ts'
import { FileField } from './FileField.tsx'

/** Attaches a PDF or an image, encrypted, as a document record. */
export function AddDocumentScreen() {
  const [file, setFile] = useState<File>()
  const [title, setTitle] = useState('')
  const [missing, setMissing] = useState(false)
  const add = useAddDocument()
  const navigate = useNavigate()
  const titleId = useId()
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (!file) {
      setMissing(true)
      return
    }
    add.mutate({ file, title }, { onSuccess: (summary) => void navigate({ to: '/records/$recordId', params: { recordId: summary.id }, replace: true }) })
  }
  return (
    <Page title="Add document" description={`A PDF or an image (PNG, JPEG, GIF, WebP) up to ${formatBytes(MAX_ATTACHMENT_BYTES)}, encrypted on this device.`}>
      <form onSubmit={submit} noValidate autoComplete="off" className="space-y-4">
        <FileField
          label="File"
          accept=".pdf,application/pdf,image/png,image/jpeg,image/gif,image/webp"
          error={missing && !file ? 'Choose a file to attach.' : undefined}
          onFile={(f) => {
            setFile(f)
            if (f && !title) setTitle(f.name.replace(/\.[a-z0-9]+$/i, ''))
          }}
        />
        <TextField id={titleId} label="Title (optional)" hint="Such as “Discharge letter, March 2024”." value={title} onChange={(e) => setTitle(e.target.value)} />
        <ErrorMessage error={add.error} />
        <Button type="submit" busy={add.isPending}>
          {add.isPending ? 'Encrypting and saving…' : 'Save document'}
        </Button>
      </form>
    </Page>
  )
}
