import { useState, type FormEvent } from 'react'
import { Link } from '../../platform/router.tsx'
import { SafariStorageNotice } from '../../platform/SafariStorageNotice.tsx'
import { VaultDamagedError } from '../../domain/wallet/vault.ts'
import { Button } from '../../ui/Button.tsx'
import { ErrorMessage } from '../../ui/ErrorMessage.tsx'
import { TextField } from '../../ui/Field.tsx'
import { Page } from '../../ui/Page.tsx'
import { useUnlockWallet } from './hooks.ts'
import { prepareVaultKdfWorker } from './vaultKdfWorker.ts'

/** The locked wallet: a passphrase unlocks it. */
export function UnlockScreen({ onUnlockStart }: { onUnlockStart?: () => void }) {
  const [passphrase, setPassphrase] = useState('')
  const unlock = useUnlockWallet()
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (passphrase.length === 0) return
    onUnlockStart?.()
    unlock.mutate(passphrase, { onError: () => setPassphrase('') })
  }
  return (
    <Page title="Unlock CareKey" description="Your wallet is locked. Enter your passphrase to open it.">
      <form onSubmit={submit} className="space-y-4">
        <TextField
          label="Passphrase"
          type="password"
          autoComplete="current-password"
          value={passphrase}
          // The key derivation's worker starts while the patient types, not when they press Unlock.
          onFocus={prepareVaultKdfWorker}
          onChange={(e) => {
            prepareVaultKdfWorker()
            setPassphrase(e.target.value)
          }}
          required
        />
        <ErrorMessage error={unlock.error} />
        <Button type="submit" busy={unlock.isPending}>
          {unlock.isPending ? 'Unlocking…' : 'Unlock'}
        </Button>
      </form>
      <p className="text-sm text-slate-700 dark:text-slate-300">
        Forgot your passphrase{unlock.error instanceof VaultDamagedError ? ', or is the wallet damaged' : ''}?{' '}
        <Link to="/remove" className="font-medium text-teal-800 underline dark:text-teal-300">
          Remove this wallet and restore it from your recovery phrase
        </Link>
        .
      </p>
      <SafariStorageNotice screen="unlock" />
    </Page>
  )
}
