import { useNavigate } from '../../platform/router.tsx'
import type { RecoveryPhrase } from '../../domain/wallet/mnemonic.ts'
import { ErrorMessage } from '../../ui/ErrorMessage.tsx'
import { Page } from '../../ui/Page.tsx'
import { useStoreNewWallet } from './hooks.ts'
import { NewPassphraseFields } from './PassphraseForm.tsx'

/**
 * The last step of creating or restoring a wallet: choose a passphrase, then encrypt and store the
 * phrase, and go on to `next` (a restored wallet goes on to restoring its records).
 */
export function StoreWalletStep({
  phrase,
  description,
  submitLabel,
  next = '/',
}: {
  phrase: RecoveryPhrase
  description: string
  submitLabel: string
  next?: '/' | '/backup/restore'
}) {
  const store = useStoreNewWallet(phrase)
  const navigate = useNavigate()
  return (
    <Page title="Choose a passphrase" description={description}>
      <NewPassphraseFields
        submitLabel={submitLabel}
        busyLabel="Encrypting your wallet…"
        busy={store.isPending}
        onSubmit={(passphrase) => store.mutate(passphrase, { onSuccess: () => void navigate({ to: next, replace: true }) })}
      />
      <ErrorMessage error={store.error} />
    </Page>
  )
}
