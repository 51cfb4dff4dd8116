import { appConfig } from '../../platform/config.ts'
import { dateTimeText, decodePurpose, granteeAddress, purposeOfUse } from '../../domain/consent/index.ts'
import { categoryLabel } from '../../domain/fhir/categories.ts'
import type { CareKeyShareInfo } from '../../domain/shl/index.ts'
import { FactList } from '../../ui/FactList.tsx'
import { LastRead } from '../../ui/LastRead.tsx'
import { TechnicalDetails } from '../../ui/TechnicalDetails.tsx'
import { TransactionLink } from '../../ui/TransactionLink.tsx'
import type { OpenedRecords, SharedGrant } from './viewerActions.ts'

/** The green banner of a consent verified on chain: what was granted, why, to whom, until when;
 * the addresses, purpose code and transaction under "Technical details". */
export function GrantBanner({
  info,
  grant,
  opened,
  readAt,
  stale,
}: {
  info: CareKeyShareInfo
  grant: SharedGrant
  opened: OpenedRecords | undefined
  readAt: number
  stale: boolean
}) {
  const { terms } = info
  const purpose = purposeOfUse(decodePurpose(terms.purpose))
  const grantee = granteeAddress(terms.grantee)
  const scope = opened?.scopeRead
  const facts = [
    { label: 'Purpose', value: purpose.label },
    { label: 'Valid until', value: dateTimeText(terms.validUntil) },
    { label: 'Granted to', value: grantee ? 'One named recipient (their address is in the technical details)' : 'Whoever the patient shows this QR code to' },
    ...(scope
      ? [{ label: 'What is shared', value: [...scope.categories.map(categoryLabel), ...(scope.recordIds.length ? [scope.recordIds.length === 1 ? '1 chosen record' : `${scope.recordIds.length} chosen records`] : [])].join(', ') }]
      : []),
    ...(opened
      ? [{ label: 'Data', value: opened.data === 'match' ? 'Exactly what the patient consented to share (its fingerprint matches)' : 'The consent does not fix the data' }]
      : []),
  ]
  // The chain's words, for whoever checks them: out of the way of a clinician reading the consent.
  const technical = [
    { label: grant.oneTimeAddress ? 'Granted by the patient (a one-time address)' : 'Granted by the patient', value: terms.patient },
    ...(grantee ? [{ label: 'Granted to the address', value: grantee }] : []),
    { label: 'Purpose code', value: `${purpose.code} (HL7 purpose of use)` },
    ...(grant.granted
      ? [
          { label: 'Recorded in block', value: grant.granted.blockNumber.toString() },
          { label: 'Transaction', value: <TransactionLink hash={grant.granted.transactionHash} explorerUrl={appConfig.chain.explorerUrl} /> },
        ]
      : []),
  ]
  return (
    <section aria-labelledby="consent-banner" className="space-y-3 rounded-xl border-2 border-emerald-600 bg-emerald-50 p-4 text-emerald-950 dark:border-emerald-500 dark:bg-emerald-950 dark:text-emerald-50">
      <h2 id="consent-banner" className="flex items-center gap-2 text-lg font-bold">
        <svg aria-hidden="true" viewBox="0 0 20 20" className="size-5 fill-current">
          <path d="M10 1 3 4v5c0 4.4 3 8.5 7 10 4-1.5 7-5.6 7-10V4l-7-3Zm-1.2 12.6L5.4 10.2l1.4-1.4 2 2 4.4-4.4 1.4 1.4-5.8 5.8Z" />
        </svg>
        Consent verified on chain
      </h2>
      <FactList facts={facts} />
      <TechnicalDetails facts={technical} />
      <LastRead at={readAt} stale={stale} />
      <p className="text-sm">The patient can revoke this consent at any time; this page checks it again every few seconds.</p>
    </section>
  )
}
