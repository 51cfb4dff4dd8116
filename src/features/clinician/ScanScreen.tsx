import { useState, type FormEvent } from 'react'
import { useNavigate } from '../../platform/router.tsx'
import { CareKeyError } from '../../domain/errors.ts'
import { decodeShlink, SHLINK_PREFIX } from '../../domain/shl/index.ts'
import { QR_DECODED_MARK } from './marks.ts'
import { holdSharedLink } from './sharedLink.ts'
import { QrScanner } from '../scan/index.ts'
import { Button } from '../../ui/Button.tsx'
import { ErrorMessage } from '../../ui/ErrorMessage.tsx'
import { TextField } from '../../ui/Field.tsx'
import { Card, Page } from '../../ui/Page.tsx'

export class NotAShareLinkError extends CareKeyError {
  constructor() {
    super(
      'That is not a shared health record link.',
      'A consent QR code from CareKey (or any SMART Health Link) contains “shlink:/”. Ask the patient to show their consent QR again.',
    )
  }
}

/**
 * The part of a scanned or pasted text that the viewer opens, from `shlink:/` on, once it is a
 * valid SMART Health Link. Throws NotAShareLinkError, or the link parser's error naming the
 * field and the problem.
 */
export function shlinkFragment(text: string): string {
  const trimmed = text.trim()
  const start = trimmed.indexOf(SHLINK_PREFIX)
  if (start < 0) throw new NotAShareLinkError()
  decodeShlink(trimmed)
  return trimmed.slice(start)
}

/** The clinician's way in: scan the patient's consent QR, choose a picture of it, or paste its link. */
export function ScanScreen() {
  const navigate = useNavigate()
  const [pasted, setPasted] = useState('')
  const [error, setError] = useState<unknown>()

  const open = (text: string, scanned: boolean) => {
    try {
      const fragment = shlinkFragment(text)
      if (scanned) performance.mark(QR_DECODED_MARK)
      // Held in this tab's memory only: the link never enters the address or the history.
      holdSharedLink(fragment)
      void navigate({ to: '/view' })
    } catch (e) {
      setError(e)
    }
  }
  const submit = (event: FormEvent) => {
    event.preventDefault()
    open(pasted, false)
  }

  return (
    <Page title="Scan a consent QR" description="Open the records a patient shares with you. No account is needed.">
      <Card title="Scan">
        <QrScanner purpose="the patient’s consent QR code" onDetected={(text) => open(text, true)} />
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
