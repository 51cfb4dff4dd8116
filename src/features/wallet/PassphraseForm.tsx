import type { ReactNode } from 'react'
import { useState, type FormEvent } from 'react'
import { useDirtyForm } from '../../platform/index.ts'
import type { CareKeyError } from '../../domain/errors.ts'
import { passphraseProblem, preloadPassphraseCheck } from '../../domain/wallet/passphraseStrength.ts'
import { MIN_PASSPHRASE_LENGTH } from '../../domain/wallet/vault.ts'
import { Button } from '../../ui/Button.tsx'
import { ErrorMessage } from '../../ui/ErrorMessage.tsx'
import { TextField } from '../../ui/Field.tsx'
import { prepareVaultKdfWorker } from './vaultKdfWorker.ts'

/**
 * Asks for a new passphrase twice. Used when creating, restoring and changing it, so the
 * rules and messages are the same everywhere: at least {@link MIN_PASSPHRASE_LENGTH}
 * characters, and not too easy to guess (zxcvbn, whose dictionaries load when the field is
 * first focused). A refused passphrase is explained at the field, in zxcvbn's plain words.
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
  const [checking, setChecking] = useState(false)
  // The refusal of the passphrase as it was when checked: it no longer applies once it is edited.
  const [refused, setRefused] = useState<{ passphrase: string; problem: CareKeyError }>()
  const [checkError, setCheckError] = useState<unknown>()
  useDirtyForm(passphrase !== '' || repeat !== '')
  const tooShort = passphrase.length < MIN_PASSPHRASE_LENGTH
  const mismatch = repeat !== passphrase
  const guessable = refused?.passphrase === passphrase ? refused.problem : undefined

  const submit = (event: FormEvent) => {
    event.preventDefault()
    setSubmitted(true)
    if (tooShort || mismatch || checking) return
    setChecking(true)
    setCheckError(undefined)
    void passphraseProblem(passphrase)
      .then((problem) => (problem ? setRefused({ passphrase, problem }) : onSubmit(passphrase)), setCheckError)
      .finally(() => setChecking(false))
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
        onFocus={() => {
          preloadPassphraseCheck()
          prepareVaultKdfWorker()
        }}
        hint={`At least ${MIN_PASSPHRASE_LENGTH} characters and hard to guess: a few unrelated words work well. It unlocks CareKey on this device only; it cannot be recovered, but your recovery phrase can replace it.`}
        error={
          submitted && tooShort
            ? `Use at least ${MIN_PASSPHRASE_LENGTH} characters.`
            : guessable && [guessable.userMessage, guessable.hint].filter(Boolean).join(' ')
        }
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
      <ErrorMessage error={checkError} />
      <Button type="submit" busy={busy || checking}>
        {busy ? busyLabel : checking ? 'Checking the passphrase…' : submitLabel}
      </Button>
    </form>
  )
}
