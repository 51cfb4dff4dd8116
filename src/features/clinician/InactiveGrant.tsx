import { appConfig } from '../../platform/config.ts'
import { dateTimeText, type GrantStatus } from '../../domain/consent/index.ts'
import type { CareKeyShareInfo } from '../../domain/shl/index.ts'
import { TechnicalDetails } from '../../ui/TechnicalDetails.tsx'
import { TransactionLink } from '../../ui/TransactionLink.tsx'
import { Problem } from './Problem.tsx'
import type { SharedGrant } from './viewerActions.ts'

const statusWords: Record<Exclude<GrantStatus, 'active'>, { title: string; body: string }> = {
  revoked: { title: 'Consent revoked', body: 'The patient revoked this consent. The records can no longer be opened with this link.' },
  expired: { title: 'Consent expired', body: 'This consent has ended. The records can no longer be opened with this link.' },
  pending: { title: 'Consent not yet valid', body: 'This consent starts later. Open the link again when it has started.' },
  unknown: {
    title: 'Consent unknown on chain',
    body: 'No consent with these terms is recorded on chain. The link was not made by the patient’s app, or it was altered.',
  },
}

/** The red state of a consent that is not active: revoked, expired, not yet valid or unknown. */
export function InactiveGrant({ grant, info, openedBefore }: { grant: SharedGrant; info: CareKeyShareInfo; openedBefore: boolean }) {
  const words = statusWords[grant.status === 'active' ? 'unknown' : grant.status]
  return (
    <Problem title={words.title}>
      <p>{words.body}</p>
      {grant.status === 'expired' && <p className="mt-1">It ended on {dateTimeText(info.terms.validUntil)}.</p>}
      {openedBefore && <p className="mt-1 text-sm">The records you opened earlier are no longer shown.</p>}
      <p className="mt-2 text-sm">Ask the patient for a new consent if you still need the records.</p>
      {grant.revoked && (
        <div className="mt-3">
          <TechnicalDetails
            facts={[
              { label: 'Revoked in block', value: grant.revoked.blockNumber.toString() },
              { label: 'Transaction', value: <TransactionLink hash={grant.revoked.transactionHash} explorerUrl={appConfig.chain.explorerUrl} /> },
            ]}
          />
        </div>
      )}
    </Problem>
  )
}
