import type { StoredConsent } from '../../storage/consentsRepository.ts'
import { ErrorMessage, noticeClassName } from '../../ui/ErrorMessage.tsx'
import { LiveRegion } from '../../ui/LiveRegion.tsx'
import { TechnicalDetails } from '../../ui/TechnicalDetails.tsx'
import { useGrantConfirmation } from './hooks.ts'
import { TransactionLink } from '../../ui/TransactionLink.tsx'
import { appConfig } from '../../platform/config.ts'

/**
 * Where a grant's transaction is: waiting for the network, recorded, or failed (the decoded
 * reason). Screen readers hear each change, and where it stands when the screen opens (a
 * consent the screen before sent): waiting and recorded in a status region, a failure in an
 * alert region. The transaction's hash and block are under Technical details. Screens leave it
 * out once the consent is revoked.
 */
export function GrantProgress({ consent }: { consent: StoredConsent }) {
  const confirmation = useGrantConfirmation(consent)
  const tx = consent.grantTx
  const progress =
    confirmation.phase === 'waiting'
      ? { tone: 'info' as const, words: 'Waiting for the network to record your consent…' }
      : confirmation.phase === 'confirmed'
        ? { tone: 'success' as const, words: 'Recorded on the network.' }
        : undefined
  const problem = confirmation.phase === 'waiting' ? confirmation.problem : confirmation.phase === 'failed' ? confirmation.error : undefined
  return (
    <div className="space-y-2" data-testid="grant-progress" data-phase={confirmation.phase}>
      {/* The same frame and regions in every phase: a region that appears with its words may go unannounced. */}
      <div className={progress ? noticeClassName(progress.tone) : undefined}>
        <LiveRegion kind="status" announceOnArrival>
          {progress && (
            <p className="flex items-center gap-2 font-semibold">
              {confirmation.phase === 'waiting' && (
                <span aria-hidden="true" className="size-4 animate-spin rounded-full border-2 border-current border-t-transparent" />
              )}
              {progress.words}
            </p>
          )}
        </LiveRegion>
        {progress && tx && (
          <div className="mt-2">
            <TechnicalDetails
              facts={[
                { label: 'Transaction', value: <TransactionLink hash={tx.hash} explorerUrl={appConfig.chain.explorerUrl} /> },
                ...(tx.blockNumber !== undefined ? [{ label: 'Block', value: tx.blockNumber.toString(), testId: 'grant-block' }] : []),
              ]}
            />
          </div>
        )}
      </div>
      <LiveRegion kind="alert">
        <ErrorMessage error={problem} inLiveRegion />
      </LiveRegion>
    </div>
  )
}
