import { useState, type FormEvent } from 'react'
import { useDirtyForm } from '../../platform/index.ts'
import { parseRecoveryPhrase, type RecoveryPhrase } from '../../domain/wallet/mnemonic.ts'
import { Button } from '../../ui/Button.tsx'
import { ErrorMessage } from '../../ui/ErrorMessage.tsx'
import { TextAreaField } from '../../ui/Field.tsx'
import { Page } from '../../ui/Page.tsx'
import { StoreWalletStep } from './StoreWalletStep.tsx'

/** Restore a wallet from its recovery phrase, then choose a passphrase for this device. */
export function RestoreWalletScreen() {
  const [input, setInput] = useState('')
  const [phrase, setPhrase] = useState<RecoveryPhrase>()
  const [phraseError, setPhraseError] = useState<unknown>()
  useDirtyForm(input !== '')

  const checkPhrase = (event: FormEvent) => {
    event.preventDefault()
    try {
      setPhrase(parseRecoveryPhrase(input))
      setPhraseError(undefined)
    } catch (error) {
      setPhraseError(error)
    }
  }

  if (!phrase) {
    return (
      <Page title="Restore your wallet" description="Type or paste your recovery phrase: 12 to 24 words, separated by spaces.">
        <form onSubmit={checkPhrase} className="space-y-4" noValidate>
          <TextAreaField
            label="Recovery phrase"
            rows={4}
            autoComplete="off"
            autoCapitalize="none"
            autoCorrect="off"
            spellCheck={false}
            value={input}
            onChange={(e) => setInput(e.target.value)}
            className="font-mono"
          />
          <ErrorMessage error={phraseError} />
          <Button type="submit">Continue</Button>
        </form>
      </Page>
    )
  }

  return (
    <StoreWalletStep
      phrase={phrase}
      submitLabel="Restore wallet"
      description="The phrase is valid. Choose a passphrase to unlock CareKey on this device."
      next="/backup/restore"
    />
  )
}
