import { useState, type FormEvent } from 'react'
import { useBrowserWallets } from '../../chain/browserWallets.ts'
import { WrongSharePasscodeError } from '../../shareHost/client.ts'
import { hasFlag } from '../../domain/shl/index.ts'
import { Button } from '../../ui/Button.tsx'
import { ErrorMessage } from '../../ui/ErrorMessage.tsx'
import { TextField } from '../../ui/Field.tsx'
import { Card } from '../../ui/Page.tsx'
import { SHARE_OPEN_MARK } from './marks.ts'
import { useOpenSharedLink } from './useOpenSharedLink.ts'
import { closesShareForGood, type OpenedRecords, type ViewerLink } from './viewerActions.ts'

/**
 * The clinician's name (and the passcode, and the optional wallet proof), then the open step.
 * A share closed for good (locked by wrong passcodes, stopped) is handed to `onClosed`: the
 * screen then shows that alone, not under the verified consent.
 */
export function OpenShareForm({
  viewer,
  onOpened,
  onClosed,
}: {
  viewer: ViewerLink
  onOpened: (opened: OpenedRecords) => void
  onClosed: (error: Error) => void
}) {
  const [recipient, setRecipient] = useState('')
  const [passcode, setPasscode] = useState('')
  const [proveAddress, setProveAddress] = useState(false)
  const [submitted, setSubmitted] = useState(false)
  const needsPasscode = hasFlag(viewer.link.payload, 'P')
  const wallets = useBrowserWallets()
  const open = useOpenSharedLink(
    { viewer, recipient, passcode, proveAddress },
    {
      onOpened,
      onFailed: (error) => {
        setPasscode('')
        if (closesShareForGood(error)) onClosed(error)
      },
    },
  )

  const submit = (event: FormEvent) => {
    event.preventDefault()
    setSubmitted(true)
    if (recipient.trim() === '' || (needsPasscode && passcode === '')) return
    performance.mark(SHARE_OPEN_MARK)
    open.mutate()
  }
  const wrongPasscode = open.error instanceof WrongSharePasscodeError ? open.error : undefined

  return (
    <Card title="Open the shared records">
      <form onSubmit={submit} className="space-y-4" noValidate>
        <TextField
          label="Your name and role"
          hint="The patient sees it in their access log, for example “Dr. Ada Lovelace, Riverside Clinic”."
          autoComplete="name"
          value={recipient}
          maxLength={200}
          onChange={(e) => setRecipient(e.target.value)}
          error={submitted && recipient.trim() === '' ? 'Tell the patient who is opening their records.' : undefined}
        />
        {needsPasscode && (
          <TextField
            label="Passcode"
            hint="The patient tells you the passcode. Wrong attempts are limited."
            type="password"
            autoComplete="off"
            value={passcode}
            onChange={(e) => setPasscode(e.target.value)}
            error={submitted && passcode === '' && !wrongPasscode ? 'Type the passcode the patient gave you.' : undefined}
          />
        )}
        {viewer.carekey && wallets.length > 0 && (
          <label className="flex min-h-11 items-center gap-3">
            <input type="checkbox" className="size-5" checked={proveAddress} onChange={(e) => setProveAddress(e.target.checked)} />
            <span>Prove my address to the patient with {wallets[0]?.name ?? 'my wallet'}</span>
          </label>
        )}
        <ErrorMessage error={open.error} />
        <Button type="submit" busy={open.isPending}>
          {open.isPending ? 'Opening and checking…' : 'Open records'}
        </Button>
      </form>
    </Card>
  )
}
