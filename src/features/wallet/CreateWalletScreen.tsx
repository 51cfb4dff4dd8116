import { useState, type FormEvent } from 'react'
import { useDirtyForm } from '../../platform/index.ts'
import { createRecoveryPhrase, pickConfirmationPositions, type RecoveryPhrase } from '../../domain/wallet/mnemonic.ts'
import { Button } from '../../ui/Button.tsx'
import { Notice } from '../../ui/ErrorMessage.tsx'
import { TextField } from '../../ui/Field.tsx'
import { Card, Page } from '../../ui/Page.tsx'
import { StoreWalletStep } from './StoreWalletStep.tsx'

type Step = 'phrase' | 'confirm' | 'passphrase'
const CONFIRM_COUNT = 3

/** Create a wallet: see the phrase once, confirm a few words, choose a passphrase. */
export function CreateWalletScreen() {
  // Generated once per visit to this screen and kept only in memory until it is encrypted.
  const [phrase] = useState<RecoveryPhrase>(createRecoveryPhrase)
  const [positions] = useState(() => pickConfirmationPositions(12, CONFIRM_COUNT))
  const [step, setStep] = useState<Step>('phrase')
  const words = phrase.split(' ')
  // The new phrase exists only in memory until the wallet is stored: an update must not reload now.
  useDirtyForm(true)

  if (step === 'phrase') {
    return (
      <Page title="Your recovery phrase" description="Step 1 of 3. Write these 12 words on paper, in order, and keep them somewhere safe.">
        <Notice tone="warning">
          <p className="font-semibold">Anyone with these words can open your wallet and read your records.</p>
          <p className="mt-1 text-sm">They are the only way to recover your wallet if you lose this device or forget your passphrase. CareKey cannot recover them for you.</p>
        </Notice>
        <Card>
          <ol aria-label="Recovery phrase" className="grid grid-cols-2 gap-2 sm:grid-cols-3">
            {words.map((word, i) => (
              <li key={i} className="rounded-md bg-slate-100 px-2 py-1.5 font-mono text-base dark:bg-slate-800">
                <span className="mr-2 select-none text-slate-600 dark:text-slate-400">{i + 1}.</span>
                {word}
              </li>
            ))}
          </ol>
        </Card>
        <Button onClick={() => setStep('confirm')}>I have written them down</Button>
      </Page>
    )
  }

  if (step === 'confirm') {
    return <ConfirmWords words={words} positions={positions} onBack={() => setStep('phrase')} onConfirmed={() => setStep('passphrase')} />
  }

  return <StoreWalletStep phrase={phrase} submitLabel="Create wallet" description="Step 3 of 3. The passphrase unlocks CareKey on this device." />
}

function ConfirmWords({
  words,
  positions,
  onBack,
  onConfirmed,
}: {
  words: string[]
  positions: number[]
  onBack: () => void
  onConfirmed: () => void
}) {
  const [answers, setAnswers] = useState<Record<number, string>>({})
  const [checked, setChecked] = useState(false)
  const isRight = (p: number) => (answers[p] ?? '').trim().toLowerCase() === words[p - 1]
  const submit = (event: FormEvent) => {
    event.preventDefault()
    setChecked(true)
    if (positions.every(isRight)) onConfirmed()
  }
  return (
    <Page title="Confirm your phrase" description="Step 2 of 3. Type the words at these positions to show you have them.">
      <form onSubmit={submit} className="space-y-4" noValidate>
        {positions.map((p) => (
          <TextField
            key={p}
            label={`Word ${p}`}
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            value={answers[p] ?? ''}
            onChange={(e) => setAnswers((a) => ({ ...a, [p]: e.target.value }))}
            error={checked && !isRight(p) ? `That is not word ${p} of your phrase.` : undefined}
          />
        ))}
        <div className="flex flex-wrap gap-3">
          <Button type="submit">Confirm</Button>
          <Button variant="secondary" onClick={onBack}>
            Show the phrase again
          </Button>
        </div>
      </form>
    </Page>
  )
}
