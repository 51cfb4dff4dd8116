import { useState } from 'react'
import type { Address } from 'viem'
import { Link } from '../../platform/router.tsx'
import { toChainError } from '../../chain/index.ts'
import type { StoredConsent } from '../../storage/consentsRepository.ts'
import { buttonClassName } from '../../ui/Button.tsx'
import { ErrorMessage, Notice } from '../../ui/ErrorMessage.tsx'
import { LastRead } from '../../ui/LastRead.tsx'
import { Card, Page } from '../../ui/Page.tsx'
import { TechnicalDetails } from '../../ui/TechnicalDetails.tsx'
import { dateTimeText, grantOrigin, granteeText, linkableLabel, purposeText, scopeText } from './describe.ts'
import { useCommitmentStatus, useConsents, useGrantStatus, useMainAddress, useWalletGrants } from './hooks.ts'
import { RevokeConsent } from './RevokeConsent.tsx'
import { StatusBadge } from './StatusBadge.tsx'
import type { WalletGrant } from './walletGrants.ts'

/**
 * My consents: every grant on this device with its live status from the network and when it
 * was read, then the grants the network knows for this wallet (its one-time addresses and its
 * accounts) whose details are not on this device (a restored wallet finds them this way).
 */
export function ConsentListScreen() {
  const consents = useConsents()
  const mainAddress = useMainAddress()
  const local = consents.data?.consents ?? []
  return (
    <Page
      title="My consents"
      description="Who may see which of your records, for what, and until when. Each status is read from the public network."
      actions={
        <Link to="/consent/new" className={buttonClassName('primary')}>
          Grant a consent
        </Link>
      }
    >
      {consents.isPending && <p role="status">Opening your consents…</p>}
      <ErrorMessage error={consents.error} />
      {consents.data && consents.data.damaged > 0 && (
        <Notice tone="warning">
          {consents.data.damaged === 1 ? 'One consent stored on this device' : `${consents.data.damaged} consents stored on this device`} could
          not be read. Their status is still on the network, below.
        </Notice>
      )}
      {consents.data && local.length === 0 && (
        <Card>
          <p>You have not granted any consent on this device yet.</p>
          <p className="text-sm text-slate-700 dark:text-slate-300">
            A consent lets a clinician see the records you choose, for a purpose and a time you choose. You can revoke it at any time.
          </p>
        </Card>
      )}
      {local.length > 0 && (
        <ul className="space-y-3" aria-label="Consents on this device">
          {local.map((consent) => (
            <ConsentListItem key={consent.id} consent={consent} mainAddress={mainAddress} />
          ))}
        </ul>
      )}
      {consents.data && <ChainOnlyGrants known={local} mainAddress={mainAddress} />}
    </Page>
  )
}

function ConsentListItem({ consent, mainAddress }: { consent: StoredConsent; mainAddress: Address | undefined }) {
  const status = useGrantStatus(consent)
  const linkable = linkableLabel(grantOrigin({ grantKeyIndex: consent.grantKeyIndex, patient: consent.terms.patient }, mainAddress))
  return (
    <li className="rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-700 dark:bg-slate-900" data-testid="consent-item">
      <Link to="/consent/$consentId" params={{ consentId: consent.id }} className="block space-y-1 rounded-xl p-4 hover:bg-slate-50 focus-visible:outline-3 focus-visible:outline-teal-600 dark:hover:bg-slate-800">
        <span className="flex flex-wrap items-start justify-between gap-2">
          <span className="font-semibold [overflow-wrap:anywhere] text-slate-900 dark:text-slate-100">{granteeText(consent.grantee, consent.granteeName)}</span>
          <StatusBadge view={status.view} />
        </span>
        <span className="block text-slate-800 dark:text-slate-200">
          {scopeText(consent.scope)} · {purposeText(consent.terms.purpose)}
        </span>
        <span className="block text-sm text-slate-700 dark:text-slate-300">
          Until {dateTimeText(consent.terms.validUntil)}
          {consent.shareId ? ' · with a consent QR code' : ''}
        </span>
        {linkable && <span className="block text-sm text-amber-900 dark:text-amber-200">{linkable}</span>}
        {status.readAt > 0 && <LastRead at={status.readAt} stale={status.readFailed} />}
      </Link>
    </li>
  )
}

/** Grants the network holds for this wallet that this device has no details of. */
function ChainOnlyGrants({ known, mainAddress }: { known: readonly StoredConsent[]; mainAddress: Address | undefined }) {
  const grants = useWalletGrants()
  const [open, setOpen] = useState(false)
  const knownCommitments = new Set(known.map((c) => c.commitment.toLowerCase()))
  const others = (grants.data?.grants ?? []).filter((g) => !knownCommitments.has(g.commitment.toLowerCase())).reverse()
  return (
    <section aria-labelledby="chain-only-heading" className="space-y-2">
      <h2 id="chain-only-heading" className="text-lg font-semibold">
        Found on the network
      </h2>
      {grants.isPending && <p role="status">Looking for your consents on the network…</p>}
      {grants.error && <ErrorMessage error={toChainError(grants.error)} />}
      {grants.data && others.length === 0 && (
        <p className="text-slate-700 dark:text-slate-300">Every consent this wallet recorded on the network is listed above.</p>
      )}
      {others.length > 0 && (
        <details open={open} onToggle={(e) => setOpen(e.currentTarget.open)} className="space-y-2">
          <summary className="min-h-11 cursor-pointer py-2 font-medium">
            {others.length === 1 ? '1 consent' : `${others.length} consents`} recorded by this wallet whose details are not on this device
          </summary>
          <p className="text-sm text-slate-700 dark:text-slate-300">
            For example consents granted on another device, or before this wallet was restored. Restoring a backup brings their details
            back. You can revoke them here.
          </p>
          {open && (
            <ul className="space-y-3" aria-label="Consents found on the network">
              {others.map((grant) => (
                <ChainGrantItem key={`${grant.patient}:${grant.commitment}`} grant={grant} mainAddress={mainAddress} />
              ))}
            </ul>
          )}
        </details>
      )}
      {grants.dataUpdatedAt > 0 && <LastRead at={grants.dataUpdatedAt} stale={grants.isError} />}
    </section>
  )
}

/**
 * A grant found on the network without its details: revocable here, by its one-time address's
 * key through the sponsor, or (made from an account) by that account.
 */
function ChainGrantItem({ grant, mainAddress }: { grant: WalletGrant; mainAddress: Address | undefined }) {
  const status = useCommitmentStatus(grant.patient, grant.commitment, grant.validUntil)
  const linkable = linkableLabel(grantOrigin({ grantKeyIndex: grant.keyIndex, patient: grant.patient }, mainAddress))
  return (
    <li className="space-y-2 rounded-xl border border-slate-200 p-4 dark:border-slate-700">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <span className="font-semibold">Until {dateTimeText(grant.validUntil)}</span>
        <StatusBadge view={status.view} />
      </div>
      <p className="text-sm">{linkable ?? 'Made from a one-time address'}</p>
      <TechnicalDetails
        facts={[
          { label: 'Fingerprint', value: grant.commitment },
          { label: 'Address', value: grant.patient },
          { label: 'Recorded in block', value: grant.granted.blockNumber.toString() },
        ]}
      />
      {status.view.revocable && (
        <RevokeConsent target={{ patient: grant.patient, commitment: grant.commitment, consentId: undefined, grantKeyIndex: grant.keyIndex }} />
      )}
    </li>
  )
}
