import { useState, type FormEvent } from 'react'
import { formatBytes } from '../../domain/fhir/errors.ts'
import { Button } from '../../ui/Button.tsx'
import { ErrorMessage } from '../../ui/ErrorMessage.tsx'
import { Card, Page } from '../../ui/Page.tsx'
import { FileField } from './FileField.tsx'
import { useImportRecords, useLoadSamplePatient } from './hooks.ts'
import { ImportSummaryView } from './ImportSummaryView.tsx'
import { MAX_IMPORT_BYTES } from './recordsActions.ts'

/** Imports a FHIR R4 file (Bundle, single resource or NDJSON) and says what happened. */
export function ImportScreen() {
  const [file, setFile] = useState<File>()
  const [missing, setMissing] = useState(false)
  const importing = useImportRecords()
  const sample = useLoadSamplePatient()
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (!file) {
      setMissing(true)
      return
    }
    sample.reset()
    importing.mutate(file)
  }
  const summary = importing.data ?? sample.data
  return (
    <Page title="Import records" description="From a FHIR R4 file, as patient portals and Synthea export them. Everything is encrypted as it is stored.">
      <Card>
        <form onSubmit={submit} noValidate className="space-y-4">
          <FileField
            label="FHIR file"
            hint={`A Bundle or a single resource (.json), or NDJSON (.ndjson), up to ${formatBytes(MAX_IMPORT_BYTES)}.`}
            accept=".json,.ndjson,.jsonl,application/json,application/fhir+json,application/x-ndjson"
            error={missing && !file ? 'Choose a file to import.' : undefined}
            onFile={(f) => {
              setFile(f)
              importing.reset()
            }}
          />
          <Button type="submit" busy={importing.isPending}>
            {importing.isPending ? 'Importing…' : 'Import'}
          </Button>
        </form>
      </Card>
      <ErrorMessage error={importing.error ?? sample.error} />
      {summary && <ImportSummaryView summary={summary} />}
      <Card title="No file at hand?">
        <p className="text-slate-700 dark:text-slate-300">Load a made-up sample patient to see how CareKey shows records. You can delete the records afterwards.</p>
        <Button
          variant="secondary"
          busy={sample.isPending}
          onClick={() => {
            importing.reset()
            sample.mutate()
          }}
        >
          {sample.isPending ? 'Loading sample data…' : 'Load sample data'}
        </Button>
      </Card>
    </Page>
  )
}
