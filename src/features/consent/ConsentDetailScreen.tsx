import { isAddressEqual } from 'viem'
import { Link, useNavigate } from '../../platform/router.tsx'
import { CONSENT_ACTIONS } from '../../domain/consent/index.ts'
import type { StoredConsent } from '../../storage/consentsRepository.ts'
import { Button, buttonClassName } from '../../ui/Button.tsx'
import { ErrorMessage, Notice } from '../../ui/ErrorMessage.tsx'
import { LastRead } from '../../ui/LastRead.tsx'
import { LiveRegion } from '../../ui/LiveRegion.tsx'
import { Card, Page } from '../../ui/Page.tsx'
import {
  dateTimeText,
  feeText,
  grantOrigin,
  granteeText,
  linkableLabel,
  originText,
  purposeCodeText,
  purposeText,
  remainingText,
  scopeText,
  type GrantOrigin,
} from './describe.ts'
import { GrantProgress } from './GrantProgress.tsx'
import { useConsent, useDiscardGrant, useGrantStatus, useMainAddress, useNow, useSigningAccount } from './hooks.ts'
import { RevokeConsent } from './RevokeConsent.tsx'
import { StatusBadge } from './StatusBadge.tsx'
import { TechnicalDetails } from '../../ui/TechnicalDetails.tsx'
import { TransactionLink } from '../../ui/TransactionLink.tsx'
import { appConfig } from '../../platform/config.ts'
import { toChainError } from '../../chain/index.ts'

/**
 * One consent: its live status (after a revoke, what that means), what it covers, who can see
 * what, revoke; its addresses, transactions and FHIR Consent under Technical details.
 */
export function ConsentDetailScreen({ id }: { id: string }) {
  const consent = useConsent(id)
  if (consent.isPending) {
    return (
      <Page title="Consent">
        <p role="status">Opening this consent…</p>
      </Page>
    )
  }
  if (!consent.data) {
    return (
      <Page title="Consent not found">
        <ErrorMessage error={consent.error} />
        <Link to="/consent" className={buttonClassName('secondary')}>
          Back to my consents
        </Link>
      </Page>
    )
  }
  return <ConsentDetail consent={consent.data} />
}

function ConsentDetail({ consent }: { consent: StoredConsent }) {
  const status = useGrantStatus(consent)
  const signer = useSigningAccount()
  const discard = useDiscardGrant()
  const navigate = useNavigate()
  const now = useNow()
  const { terms, scope } = consent
  const title = consent.grantee.kind === 'bearer' ? 'Consent for whoever you show the QR code' : `Consent for ${consent.granteeName ?? 'a clinician'}`
  const origin = grantOrigin({ grantKeyIndex: consent.grantKeyIndex, patient: terms.patient }, useMainAddress())
  const linkable = linkableLabel(origin)
  // A grant made by its own key is revoked with that key, whichever wallet is connected.
  const otherWallet = consent.grantKeyIndex === undefined && signer.address !== undefined && !isAddressEqual(signer.address, terms.patient)
  const neverRecorded = status.view.kind === 'not-recorded' || status.view.kind === 'unknown'
  // This device stored the revocation, or the chain says so (revoked on another device).
  const revoked = status.view.kind === 'revoked' || consent.revokeTx !== undefined

  return (
    <Page title={title} documentTitle="Consent" description={`${scopeText(scope)} · ${purposeText(terms.purpose)}`}>
      {!revoked && <GrantProgress consent={consent} />}
      <Card title="Status">
        <div className="flex flex-wrap items-center gap-3">
          <StatusBadge view={status.view} />
          {status.readAt > 0 && <LastRead at={status.readAt} stale={status.readFailed} />}
        </div>
        {/* One region for the status and what a revocation means: screen readers hear the revoke's outcome here. */}
        <LiveRegion kind="status">{revoked ? <RevokedNotice consent={consent} /> : <p>{status.view.description}</p>}</LiveRegion>
        {linkable && <p className="text-sm text-amber-900 dark:text-amber-200">{linkable}</p>}
        {status.readFailed && <ErrorMessage error={toChainError(status.error)} />}
        {consent.shareId &&
          (revoked ? (
            <Link to="/share/$shareId" params={{ shareId: consent.shareId }} className="inline-flex min-h-11 items-center font-semibold text-teal-800 underline dark:text-teal-300">
              Its consent QR code (stopped)
            </Link>
          ) : (
            <Link to="/share/$shareId" params={{ shareId: consent.shareId }} className={buttonClassName('primary')}>
              Show the consent QR code
            </Link>
          ))}
      </Card>

      <Card title="What it covers">
        <dl className="grid gap-x-4 gap-y-2 sm:grid-cols-[auto_1fr]">
          <dt className="font-semibold">Shared</dt>
          <dd>{scopeText(scope)}</dd>
          <dt className="font-semibold">With</dt>
          <dd className="[overflow-wrap:anywhere]">{granteeText(consent.grantee, consent.granteeName)}</dd>
          <dt className="font-semibold">Why</dt>
          <dd>{purposeText(terms.purpose)}</dd>
          <dt className="font-semibold">From</dt>
          <dd>{dateTimeText(terms.validFrom)}</dd>
          <dt className="font-semibold">Until</dt>
          <dd>
            {dateTimeText(terms.validUntil)} ({remainingText(terms.validUntil, now)})
          </dd>
          <dt className="font-semibold">They may</dt>
          <dd>{scope.actions.map((a) => CONSENT_ACTIONS.find((x) => x.code === a)?.description ?? a).join(' ')}</dd>
        </dl>
      </Card>

      <Card title="What others can see">
        <p data-testid="grant-origin">{originText(origin)}</p>
        {(consent.grantTx !== undefined || consent.sentBy !== undefined) && <p data-testid="grant-fee">{feeText(consent)}</p>}
      </Card>

      {status.view.revocable && (
        <Card title="Revoke">
          {otherWallet ? (
            <Notice tone="warning">
              This consent was granted by <span className="font-mono break-all">{terms.patient}</span>. Connect that wallet on the Account
              screen to revoke it.
            </Notice>
          ) : (
            <RevokeConsent
              target={{ patient: terms.patient, commitment: consent.commitment, consentId: consent.id, grantKeyIndex: consent.grantKeyIndex }}
              label={consent.shareId ? 'Revoke consent and stop its QR code' : 'Revoke consent'}
            />
          )}
        </Card>
      )}

      {neverRecorded && consent.state !== 'submitted' && (
        <Card title="Not on the network">
          <p>This consent is not recorded on the network, so nobody can use it. You can remove it from this device.</p>
          <Button
            variant="secondary"
            busy={discard.isPending}
            onClick={() => discard.mutate({ id: consent.id, shareId: consent.shareId }, { onSuccess: () => void navigate({ to: '/consent', replace: true }) })}
          >
            Remove from this device
          </Button>
          <ErrorMessage error={discard.error} />
        </Card>
      )}

      <TechnicalDetails
        facts={[
          { label: ADDRESS_LABEL[origin], value: terms.patient },
          { label: 'Fingerprint', value: consent.commitment, testId: 'consent-commitment' },
          { label: 'Purpose code', value: purposeCodeText(terms.purpose) },
          ...transactionFacts('Granted in', consent.grantTx),
          ...transactionFacts('Revoked in', consent.revokeTx),
        ]}
      >
        <details className="pb-3">
          <summary className="min-h-11 cursor-pointer py-2 font-medium">FHIR Consent resource</summary>
          <p className="text-slate-700 dark:text-slate-300">
            The standard record of this consent, stored encrypted on this device
            {consent.shareId ? ' and included in the consent QR code’s share' : ''}. Valid from {dateTimeText(terms.validFrom)}.
          </p>
          <pre className="mt-2 max-h-96 overflow-auto rounded-lg bg-slate-100 p-3 text-xs dark:bg-slate-800" aria-label="FHIR Consent resource as JSON" tabIndex={0}>{JSON.stringify(consent.resource, null, 2)}</pre>
        </details>
      </TechnicalDetails>
    </Page>
  )
}

/**
 * What a revocation means, said where the status is: who can no longer open what, and that
 * copies already downloaded stay with them.
 */
function RevokedNotice({ consent }: { consent: StoredConsent }) {
  const who = consent.grantee.kind === 'bearer' ? 'Whoever you showed the QR code to' : (consent.granteeName ?? 'The clinician')
  return (
    <div className="space-y-1" data-testid="revoked-notice">
      <p className="font-semibold">You revoked this consent.</p>
      <p>
        {who} can no longer open the records it shared{consent.shareId ? ', and its QR code no longer opens' : ''}. Copies they already
        downloaded or saved stay with them: revoking cannot recall them.
      </p>
    </div>
  )
}

/** A transaction's hash and block, as technical details. */
function transactionFacts(label: string, tx: StoredConsent['grantTx']) {
  if (!tx) return []
  return [
    { label, value: <TransactionLink hash={tx.hash} explorerUrl={appConfig.chain.explorerUrl} /> },
    ...(tx.blockNumber !== undefined ? [{ label: `${label} block`, value: tx.blockNumber.toString() }] : []),
  ]
}

const ADDRESS_LABEL: Record<GrantOrigin, string> = {
  'one-time-address': 'Its one-time address',
  'main-address': 'Your main address',
  'other-account': 'Your account',
}
