import type { ReactNode } from 'react'
import { useState, type FormEvent } from 'react'
import { useDirtyForm } from '../../platform/index.ts'
import { MIN_PASSPHRASE_LENGTH } from '../../domain/wallet/vault.ts'
import { Button } from '../../ui/Button.tsx'
import { TextField } from '../../ui/Field.tsx'
import { prepareVaultKdfWorker } from './vaultKdfWorker.ts'

/**
 * Asks for a new passphrase twice. Used when creating, restoring and changing it, so the
 * rules and messages are the same everywhere.
 */
export function NewPassphraseFields({
  submitLabel,
  busyLabel,
  busy,
  onSubmit,
  children,
}: {
  submitLabel: string
  busyLabel: string
  busy: boolean
  onSubmit: (passphrase: string) => void
  /** Extra fields shown above (for example the current passphrase). */
  children?: ReactNode
}) {
  const [passphrase, setPassphrase] = useState('')
  const [repeat, setRepeat] = useState('')
  const [submitted, setSubmitted] = useState(false)
  useDirtyForm(passphrase !== '' || repeat !== '')
  const tooShort = passphrase.length < MIN_PASSPHRASE_LENGTH
  const mismatch = repeat !== passphrase

  const submit = (event: FormEvent) => {
    event.preventDefault()
    setSubmitted(true)
    if (!tooShort && !mismatch) onSubmit(passphrase)
  }

  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      {children}
      <TextField
        label="New passphrase"
        type="password"
        autoComplete="new-password"
        value={passphrase}
        onChange={(e) => setPassphrase(e.target.value)}
        onFocus={prepareVaultKdfWorker}
        hint={`At least ${MIN_PASSPHRASE_LENGTH} characters. It unlocks CareKey on this device only; it cannot be recovered, but your recovery phrase can replace it.`}
        error={submitted && tooShort ? `Use at least ${MIN_PASSPHRASE_LENGTH} characters.` : undefined}
        required
      />
      <TextField
        label="Repeat the passphrase"
        type="password"
        autoComplete="new-password"
        value={repeat}
        onChange={(e) => setRepeat(e.target.value)}
        error={submitted && !tooShort && mismatch ? 'The two passphrases are not the same.' : undefined}
        required
      />
      <Button type="submit" busy={busy}>
        {busy ? busyLabel : submitLabel}
      </Button>
    </form>
  )
}
