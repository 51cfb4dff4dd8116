import type { Attachment, Resource } from '@medplum/fhirtypes'
import { useEffect, useMemo, useRef, useState } from 'react'
import { Link, useNavigate } from '../../platform/router.tsx'
import { ScreenLoading } from '../../platform/index.ts'
import { categoryLabel } from '../../domain/fhir/categories.ts'
import { attachmentLabel, describeResource } from '../../domain/fhir/describe.ts'
import { formatFhirDate } from '../../domain/fhir/display.ts'
import { ATTACHMENT_TYPES } from '../../domain/records/attachments.ts'
import { storedAttachmentId } from '../../domain/records/fhirBundle.ts'
import { recordForm } from '../../domain/records/forms.ts'
import { isPatientRecord } from '../../domain/records/search.ts'
import type { RecordSummary } from '../../domain/records/summary.ts'
import { Button, buttonClassName } from '../../ui/Button.tsx'
import { ErrorMessage } from '../../ui/ErrorMessage.tsx'
import { Card, Page } from '../../ui/Page.tsx'
import { FactList } from '../../ui/FactList.tsx'
import { saveFile } from '../../ui/saveFile.ts'
import { useAttachmentFile, useDeleteRecord, useDownloadAttachment, useRecord } from './hooks.ts'
import { ReportResults } from './ReportResults.tsx'

/** One record, as a person reads it; its FHIR JSON one tap away; its files; edit and delete. */
export function RecordDetailScreen({ id }: { id: string }) {
  const record = useRecord(id)
  if (record.isPending) return <ScreenLoading />
  if (record.isError) {
    return (
      <Page title="Record">
        <ErrorMessage error={record.error} />
        <BackToRecords />
      </Page>
    )
  }
  return <RecordDetail summary={record.data.summary} resource={record.data.resource} />
}

function BackToRecords() {
  return (
    <Link to="/records" className="inline-flex min-h-11 items-center font-medium text-teal-800 underline dark:text-teal-300">
      Back to records
    </Link>
  )
}

function RecordDetail({ summary, resource }: { summary: RecordSummary; resource: Resource }) {
  const description = useMemo(() => describeResource(resource), [resource])
  const remove = useDeleteRecord()
  const navigate = useNavigate()
  const form = recordForm(resource)
  const date = formatFhirDate(description.date)
  const attachments = resource.resourceType === 'DocumentReference' ? resource.content.map((c) => c.attachment) : []
  const json = useMemo(() => JSON.stringify(resource, null, 2), [resource])

  // The patient's own record is who the others are about, not one of them (see isPatientRecord).
  const kind = isPatientRecord(summary) ? 'About you, as your records give it' : categoryLabel(summary.category)
  return (
    <Page title={description.title} documentTitle="Record" description={[kind, date].filter(Boolean).join(' · ')}>
      <Card label="Record details">
        <FactList facts={description.facts} />
        {description.facts.length === 0 && <p>This record has no details CareKey can show in words. Its FHIR JSON is below.</p>}
      </Card>
      {resource.resourceType === 'DiagnosticReport' && <ReportResults summary={summary} report={resource} />}
      {description.text && (
        <Card title="Text">
          <p className="break-words whitespace-pre-wrap">{description.text}</p>
        </Card>
      )}
      {attachments.length > 0 && (
        <Card title="Files">
          <ul className="space-y-4">
            {attachments.map((attachment, i) => (
              <AttachmentItem key={i} attachment={attachment} storedId={storedAttachmentId(attachment, summary.attachmentIds)} />
            ))}
          </ul>
        </Card>
      )}
      <details className="rounded-xl border border-slate-200 bg-white dark:border-slate-700 dark:bg-slate-900">
        <summary className="flex min-h-11 cursor-pointer items-center px-4 font-semibold">FHIR JSON</summary>
        <pre className="max-h-[60vh] overflow-auto border-t border-slate-200 p-4 text-sm dark:border-slate-700" aria-label="FHIR JSON of this record" tabIndex={0}>
          {json}
        </pre>
      </details>
      <div className="flex flex-wrap gap-3">
        {form && (
          <Link to="/records/$recordId/edit" params={{ recordId: summary.id }} className={buttonClassName('secondary')}>
            Edit
          </Link>
        )}
        <Button variant="danger" busy={remove.isPending} onClick={() => remove.mutate(summary.id, { onSuccess: () => void navigate({ to: '/records', replace: true }) })}>
          Delete
        </Button>
        <BackToRecords />
      </div>
      <ErrorMessage error={remove.error} />
    </Page>
  )
}

function isViewable(contentType: string | undefined): boolean {
  const type = contentType?.split(';')[0]?.trim().toLowerCase()
  return type !== undefined && Object.keys(ATTACHMENT_TYPES).includes(type)
}

/** A file of a record: stored encrypted in the wallet, embedded in the record, or elsewhere. */
function AttachmentItem({ attachment, storedId }: { attachment: Attachment; storedId: string | undefined }) {
  const [open, setOpen] = useState(false)
  const contentType = attachment.contentType?.split(';')[0]?.trim().toLowerCase() ?? 'application/octet-stream'
  const inline = useMemo(() => (attachment.data && !storedId ? base64Blob(attachment.data, contentType) : undefined), [attachment.data, storedId, contentType])
  const stored = useAttachmentFile(storedId ?? '', contentType, storedId !== undefined && open)
  const download = useDownloadAttachment()
  const label = attachmentLabel(attachment)
  const fileName = attachment.title ?? `attachment${contentType === 'application/pdf' ? '.pdf' : ''}`

  if (!storedId && !inline) {
    return (
      <li className="space-y-1">
        <p className="font-medium break-words">{label}</p>
        {attachment.url && <p className="text-sm break-all text-slate-700 dark:text-slate-300">Kept elsewhere, at {attachment.url}. CareKey has no copy.</p>}
      </li>
    )
  }
  const blob = inline ?? stored.data
  const viewable = isViewable(contentType)
  return (
    <li className="space-y-2">
      <p className="font-medium break-words">{label}</p>
      <div className="flex flex-wrap gap-2">
        {viewable && (
          <Button variant="secondary" aria-expanded={open} onClick={() => setOpen(!open)} busy={open && stored.isPending && !inline}>
            {open ? 'Hide' : 'View'} {attachment.title ?? 'file'}
          </Button>
        )}
        <Button
          variant="secondary"
          busy={download.isPending}
          onClick={() => (inline ? saveFile(inline, fileName) : storedId && download.mutate({ attachmentId: storedId, contentType, fileName }))}
        >
          Download {attachment.title ?? 'file'}
        </Button>
      </div>
      <ErrorMessage error={stored.error ?? download.error} />
      {open && blob && <FileViewer blob={blob} title={attachment.title ?? label} />}
    </li>
  )
}

/** Shows a decrypted PDF or image from memory (a blob: URL, revoked when closed). */
function FileViewer({ blob, title }: { blob: Blob; title: string }) {
  const frame = useRef<HTMLIFrameElement>(null)
  const image = useRef<HTMLImageElement>(null)
  useEffect(() => {
    const url = URL.createObjectURL(blob)
    const element = frame.current ?? image.current
    if (element) element.src = url
    return () => URL.revokeObjectURL(url)
  }, [blob])
  if (blob.type === 'application/pdf') {
    return <iframe ref={frame} title={`PDF: ${title}`} className="h-[70vh] w-full rounded-lg border border-slate-300 bg-white dark:border-slate-600" />
  }
  return <img ref={image} alt={title} className="max-h-[70vh] max-w-full rounded-lg border border-slate-300 dark:border-slate-600" />
}

function base64Blob(data: string, contentType: string): Blob | undefined {
  try {
    const binary = atob(data.replace(/\s+/g, ''))
    const bytes = new Uint8Array(binary.length)
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
    // Only types that are safe to open in the app are labelled as such; anything else is bytes.
    return new Blob([bytes], { type: isViewable(contentType) ? contentType : 'application/octet-stream' })
  } catch {
    return undefined
  }
}
