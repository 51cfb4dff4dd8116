import { Link, Navigate } from '../../platform/router.tsx'
import { buttonClassName } from '../../ui/Button.tsx'
import { ErrorMessage } from '../../ui/ErrorMessage.tsx'
import { Card, Page } from '../../ui/Page.tsx'
import { momentText } from '../../domain/dateText.ts'
import type { StoredConsent } from '../../storage/consentsRepository.ts'
import type { StoredShare } from '../../storage/sharesRepository.ts'
import { dateTimeText, granteeText, StatusBadge, useConsents, useGrantStatus, useNow } from '../consent/index.ts'
import { useShares } from './hooks.ts'
import { currentShare } from './currentShare.ts'
import { shareStatusView } from './shareStatus.ts'

/**
 * "Show my consent QR" (the app's shortcut): goes straight to the newest consent QR code that
 * can still open; otherwise offers to make one, and lists the earlier ones, newest first, each
 * with its status.
 */
export function CurrentShareScreen() {
  const shares = useShares()
  const consents = useConsents()
  const now = useNow()
  if (shares.isPending || consents.isPending) {
    return (
      <Page title="My consent QR code">
        <p role="status">Opening your consent QR codes…</p>
      </Page>
    )
  }
  const all = shares.data?.shares ?? []
  const byId = new Map((consents.data?.consents ?? []).map((c) => [c.id, c]))
  const current = currentShare(all, byId, now)
  if (current) return <Navigate to="/share/$shareId" params={{ shareId: current.id }} replace />
  return (
    <Page title="My consent QR code" description="A consent QR code lets a clinician open the records you chose, while your consent is active.">
      <ErrorMessage error={shares.error ?? consents.error} />
      <Card>
        <p>You have no consent QR code to show right now.</p>
        <Link to="/consent/new" search={{ with: 'qr' }} className={buttonClassName('primary')}>
          Make a consent QR code
        </Link>
      </Card>
      {all.length > 0 && (
        <section aria-labelledby="earlier-shares" className="space-y-2">
          <h2 id="earlier-shares" className="text-lg font-semibold">
            Earlier consent QR codes
          </h2>
          <ul className="space-y-2">
            {[...all]
              .sort((a, b) => b.createdAt - a.createdAt)
              .map((share) => (
                <EarlierShare key={share.id} share={share} consent={byId.get(share.consentId)} />
              ))}
          </ul>
        </section>
      )}
    </Page>
  )
}

/**
 * An earlier consent QR code: its label and when it was made (which tell apart QR codes with
 * the same label), who it was for and until when, and its status (stopped, expired…).
 */
function EarlierShare({ share, consent }: { share: StoredShare; consent: StoredConsent | undefined }) {
  const status = useGrantStatus(consent)
  const view = shareStatusView({ state: share.state, consent: status.view, host: undefined })
  return (
    <li data-testid="earlier-share">
      <Link
        to="/share/$shareId"
        params={{ shareId: share.id }}
        className="block min-h-11 space-y-1 rounded-lg border border-slate-200 p-3 hover:bg-slate-50 focus-visible:outline-3 focus-visible:outline-teal-600 dark:border-slate-700 dark:hover:bg-slate-800"
      >
        <span className="flex flex-wrap items-start justify-between gap-2">
          <span className="font-medium [overflow-wrap:anywhere]">{share.label}</span>
          {consent && <StatusBadge view={view} />}
        </span>
        <span className="block text-sm text-slate-700 dark:text-slate-300">Made {momentText(share.createdAt)}</span>
        <span className="block text-sm [overflow-wrap:anywhere] text-slate-700 dark:text-slate-300">
          {consent ? `${granteeText(consent.grantee, consent.granteeName)} · until ${dateTimeText(consent.terms.validUntil)}` : 'Its consent is not on this device'}
        </span>
      </Link>
    </li>
  )
}
