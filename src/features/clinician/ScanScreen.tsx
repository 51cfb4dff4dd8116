import { Suspense, useState, type FormEvent } from 'react'
import { navigate } from '../../app/router.tsx'
import { CareKeyError } from '../../domain/errors.ts'
import { QrScanner } from '../scan/index.ts'
import { Button } from '../../ui/Button.tsx'
import { ErrorMessage } from '../../ui/ErrorMessage.tsx'
import { TextField } from '../../ui/Field.tsx'
import { ScreenLoading } from '../../app/Layout.tsx'
import { Card, Page } from '../../ui/Page.tsx'

export class NotAShareLinkError extends CareKeyError {
  constructor() {
    super(
      'That is not a shared health record link.',
      'A consent QR code from CareKey (or any SMART Health Link) contains “shlink:/”. Ask the patient to show their consent QR again.',
    )
  }
}

/** The part of a scanned or pasted text that the viewer opens, from `shlink:/` on. */
export function shlinkFragment(text: string): string {
  const start = text.trim().indexOf('shlink:/')
  if (start < 0) throw new NotAShareLinkError()
  return text.trim().slice(start)
}

/** The clinician's way in: scan the patient's consent QR, choose a picture of it, or paste its link. */
export function ScanScreen() {
  const [pasted, setPasted] = useState('')
  const [error, setError] = useState<unknown>()

  const open = (text: string) => {
    try {
      navigate(`/view#${shlinkFragment(text)}`)
    } catch (e) {
      setError(e)
    }
  }
  const submit = (event: FormEvent) => {
    event.preventDefault()
    open(pasted)
  }

  return (
    <Page title="Scan a consent QR" description="Open the records a patient shares with you. No account is needed.">
      <Card title="Scan">
        <Suspense fallback={<ScreenLoading />}>
          <QrScanner purpose="the patient’s consent QR code" onDetected={open} />
        </Suspense>
      </Card>
      <Card title="Or paste the link">
        <form onSubmit={submit} className="space-y-3">
          <TextField
            label="Shared link"
            autoComplete="off"
            spellCheck={false}
            value={pasted}
            onChange={(e) => setPasted(e.target.value)}
            placeholder="https://…#shlink:/…"
          />
          <Button type="submit">Open</Button>
        </form>
      </Card>
      <ErrorMessage error={error} />
    </Page>
  )
}
