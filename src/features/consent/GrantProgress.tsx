import type { StoredConsent } from '../../storage/consentsRepository.ts'
import { ErrorMessage, Notice } from '../../ui/ErrorMessage.tsx'
import { TechnicalDetails } from '../../ui/TechnicalDetails.tsx'
import { useGrantConfirmation } from './hooks.ts'
import { TransactionLink } from '../../ui/TransactionLink.tsx'
import { appConfig } from '../../platform/config.ts'

/**
 * Where a grant's transaction is: waiting for the network, recorded, or failed (the decoded
 * reason). Announced to screen readers as it changes. The transaction's hash and block are
 * under Technical details. Screens leave it out once the consent is revoked.
 */
export function GrantProgress({ consent }: { consent: StoredConsent }) {
  const confirmation = useGrantConfirmation(consent)
  const tx = consent.grantTx
  const details = tx && (
    <div className="mt-2">
      <TechnicalDetails
        facts={[
          { label: 'Transaction', value: <TransactionLink hash={tx.hash} explorerUrl={appConfig.chain.explorerUrl} /> },
          ...(tx.blockNumber !== undefined ? [{ label: 'Block', value: tx.blockNumber.toString(), testId: 'grant-block' }] : []),
        ]}
      />
    </div>
  )
  return (
    <div aria-live="polite" className="space-y-2" data-testid="grant-progress" data-phase={confirmation.phase}>
      {confirmation.phase === 'waiting' && (
        <Notice tone="info">
          <p className="flex items-center gap-2 font-semibold" role="status">
            <span aria-hidden="true" className="size-4 animate-spin rounded-full border-2 border-current border-t-transparent" />
            Waiting for the network to record your consent…
          </p>
          {details}
        </Notice>
      )}
      {confirmation.phase === 'waiting' && <ErrorMessage error={confirmation.problem} />}
      {confirmation.phase === 'confirmed' && (
        <Notice tone="success">
          <p className="font-semibold" role="status">
            Recorded on the network.
          </p>
          {details}
        </Notice>
      )}
      {confirmation.phase === 'failed' && <ErrorMessage error={confirmation.error} />}
    </div>
  )
}
