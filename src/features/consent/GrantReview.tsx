import { CONSENT_ACTIONS } from '../../domain/consent/index.ts'
import { formatFhirDate } from '../../domain/fhir/display.ts'
import { categoryLabel, type RecordSummaryView } from '../records/index.ts'
import { Card } from '../../ui/Page.tsx'
import { TechnicalDetails } from '../../ui/TechnicalDetails.tsx'
import { isAboutYou } from './grantForm.ts'
import type { PreparedGrant } from './prepareGrant.ts'
import { coversAllRecords, dateTimeText, granteeText, purposeText, remainingText } from './describe.ts'

/**
 * The plain-language review before signing: what will be shared with whom, why and until
 * when; then what becomes public on the network (a fresh address, an opaque fingerprint, the
 * end date) and what never does. The address and fingerprint themselves are under Technical
 * details.
 */
export function GrantReview({ prepared, summaries, now }: { prepared: PreparedGrant; summaries: readonly RecordSummaryView[]; now: Date }) {
  const { consent, share } = prepared
  const { scope, terms } = consent
  const picked = summaries.filter((s) => scope.recordIds.includes(s.id))
  const counts = (category: string) => summaries.filter((s) => s.category === category).length
  const all = coversAllRecords(scope)
  const recordsNow = (n: number) => (n === 1 ? '1 record' : `${n} records`)
  const actions = scope.actions.map((a) => CONSENT_ACTIONS.find((x) => x.code === a)?.description ?? a)
  return (
    <>
      <Card title="What you are agreeing to">
        <dl className="space-y-3" data-testid="grant-review">
          <div>
            <dt className="font-semibold">You share</dt>
            <dd>
              <ul className="list-disc pl-5">
                {all && <li>All your records ({recordsNow(summaries.length)} now)</li>}
                {!all &&
                  scope.categories.map((c) => (
                    <li key={c}>
                      All your {categoryLabel(c).toLowerCase()} ({recordsNow(counts(c))} now)
                    </li>
                  ))}
                {picked.map((s) => (
                  <li key={s.id}>
                    {isAboutYou(s) ? `Who the records are about (${s.title})` : s.title}
                    {!isAboutYou(s) && s.date ? `, ${formatFhirDate(s.date) ?? s.date}` : ''}
                  </li>
                ))}
              </ul>
            </dd>
          </div>
          <div>
            <dt className="font-semibold">With</dt>
            <dd className="[overflow-wrap:anywhere]">{granteeText(consent.grantee, consent.granteeName)}</dd>
          </div>
          <div>
            <dt className="font-semibold">Why</dt>
            <dd>{purposeText(terms.purpose)}</dd>
          </div>
          <div>
            <dt className="font-semibold">Until</dt>
            <dd>
              {dateTimeText(terms.validUntil)} ({remainingText(terms.validUntil, now)})
            </dd>
          </div>
          <div>
            <dt className="font-semibold">They may</dt>
            <dd>{actions.join(' ')}</dd>
          </div>
        </dl>
        {share && (
          <p>
            A consent QR code will be made. {share.recordCount === 1 ? 'The record' : `The ${share.recordCount} records`} and this consent are
            encrypted on this device first; the share host stores them unreadable and hands them out only while this consent is active
            {share.passcode ? ' and to someone who gives the passcode' : ''}.
          </p>
        )}
        {share && share.recordCount === 0 && (
          <p className="font-semibold text-amber-900 dark:text-amber-200">There are no records to share in these categories yet.</p>
        )}
      </Card>
      <Card title="What becomes public on the network">
        <p>Recording a consent writes this on a public network, where anyone can read it, forever:</p>
        <div className="space-y-3" data-testid="public-on-chain">
          <ul className="list-disc space-y-1 pl-5">
            <li>a fresh address made for this consent alone, which says nothing about you and appears in none of your other consents</li>
            <li>an opaque fingerprint of this consent</li>
            <li>the date and time it ends, {dateTimeText(terms.validUntil)}</li>
          </ul>
          <TechnicalDetails
            facts={[
              { label: 'The fresh address', value: terms.patient, testId: 'review-grant-address' },
              { label: 'The fingerprint', value: consent.commitment, testId: 'review-fingerprint' },
            ]}
          />
        </div>
        <p>
          Nothing else: not your name, not your records, not the purpose, and not who it is for. The fingerprint cannot be turned back into
          them.
        </p>
        <p className="text-sm text-slate-700 dark:text-slate-300">
          CareKey's sponsor pays the network fee: recording it costs you nothing, and nothing on the network ties it to your account.
        </p>
      </Card>
    </>
  )
}
