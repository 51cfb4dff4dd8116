import { useState, type FormEvent } from 'react'
import { useNavigate } from '../../platform/router.tsx'
import { Button } from '../../ui/Button.tsx'
import { ErrorMessage, Notice } from '../../ui/ErrorMessage.tsx'
import { TextField } from '../../ui/Field.tsx'
import { Page } from '../../ui/Page.tsx'
import { useRemoveWallet } from './hooks.ts'

export const REMOVE_CONFIRMATION = 'REMOVE'

/** Deletes the wallet and everything CareKey stores on this device, behind a typed confirmation. */
export function RemoveWalletScreen() {
  const [typed, setTyped] = useState('')
  const [submitted, setSubmitted] = useState(false)
  const remove = useRemoveWallet()
  const navigate = useNavigate()
  const confirmed = typed.trim() === REMOVE_CONFIRMATION
  const submit = (event: FormEvent) => {
    event.preventDefault()
    setSubmitted(true)
    if (confirmed) remove.mutate(undefined, { onSuccess: () => void navigate({ to: '/', replace: true }) })
  }
  return (
    <Page title="Remove wallet from this device">
      <Notice tone="warning">
        <p className="font-semibold">This deletes your wallet and all your records from this device.</p>
        <p className="mt-1 text-sm">
          Only your recovery phrase can bring the wallet back, and only a backup file can bring back records. Consents already recorded on
          the public chain stay there.
        </p>
      </Notice>
      <form onSubmit={submit} className="space-y-4" noValidate>
        <TextField
          label={`Type ${REMOVE_CONFIRMATION} to confirm`}
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          error={submitted && !confirmed ? `Type ${REMOVE_CONFIRMATION} in capital letters to confirm.` : undefined}
        />
        <ErrorMessage error={remove.error} />
        <div className="flex flex-wrap gap-3">
          <Button type="submit" variant="danger" busy={remove.isPending}>
            Remove wallet
          </Button>
          <Button variant="secondary" onClick={() => window.history.back()}>
            Cancel
          </Button>
        </div>
      </form>
    </Page>
  )
}
