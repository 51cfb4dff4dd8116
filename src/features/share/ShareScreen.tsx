import { useEffect, useState } from 'react'
import { momentText } from '../../domain/dateText.ts'
import { Link } from '../../platform/router.tsx'
import { toChainError } from '../../chain/index.ts'
import { NotYourGrantError } from '../../chain/consentRegistryErrors.ts'
import type { StoredConsent } from '../../storage/consentsRepository.ts'
import type { StoredShare } from '../../storage/sharesRepository.ts'
import { Button, buttonClassName } from '../../ui/Button.tsx'
import { CopyButton } from '../../ui/CopyButton.tsx'
import { ErrorMessage, Notice } from '../../ui/ErrorMessage.tsx'
import { LastRead } from '../../ui/LastRead.tsx'
import { LiveRegion } from '../../ui/LiveRegion.tsx'
import { Card, Page } from '../../ui/Page.tsx'
import { QrCode } from '../../ui/QrCode.tsx'
import {
  ChainErrorMessage,
  dateTimeText,
  granteeText,
  GrantProgress,
  purposeText,
  remainingText,
  RevokeConsent,
  scopeText,
  StatusBadge,
  useConsent,
  useGrantStatus,
  useNow,
} from '../consent/index.ts'
import { AccessLog } from './AccessLog.tsx'
import { FullScreenQr } from './FullScreenQr.tsx'
import { useAccessLog, usePatientSigner, useShare, useStopSharing, useUploadShare } from './hooks.ts'
import { consentQrLink } from './link.ts'
import { shareStatusView } from './shareStatus.ts'

/** One consent QR code: its consent's progress, the upload, the QR, status, access log, stop. */
export function ShareScreen({ id }: { id: string }) {
  const share = useShare(id)
  if (!share.data) {
    return (
      <Page title="Consent QR code">
        {share.isPending ? <p role="status">Opening this consent QR code…</p> : <ErrorMessage error={share.error} />}
        <Link to="/share" className={buttonClassName('secondary')}>
          Back
        </Link>
      </Page>
    )
  }
  return <ShareWithConsent share={share.data} />
}

function ShareWithConsent({ share }: { share: StoredShare }) {
  const consent = useConsent(share.consentId)
  if (!consent.data) {
    return (
      <Page title="Consent QR code">
        {consent.isPending ? <p role="status">Opening its consent…</p> : <ErrorMessage error={consent.error} />}
      </Page>
    )
  }
  return <ShareDetail share={share} consent={consent.data} />
}

function ShareDetail({ share, consent }: { share: StoredShare; consent: StoredConsent }) {
  const now = useNow()
  const status = useGrantStatus(consent)
  const { signer, isLocalWallet } = usePatientSigner(consent)
  const log = useAccessLog(signer, share, consent, isLocalWallet)
  const upload = useUploadShare(signer, share, consent)
  const stop = useStopSharing(signer, share, consent)
  const [fullScreen, setFullScreen] = useState(false)
  const [showPasscode, setShowPasscode] = useState(false)
  const view = shareStatusView({ state: share.state, consent: status.view, host: log.data?.share.status })
  const link = consentQrLink(share, consent, window.location.origin)
  const qrLabel = `Consent QR code: ${share.label}`
  // The chain decides, as the host does: a grant recorded while this device lost track of its
  // transaction (a tab closed mid-way) still gets its share uploaded.
  const recorded = status.view.kind === 'active' || status.view.kind === 'starts-later'

  // Once the consent is on chain the host accepts the share: upload it without another tap.
  const { mutate: startUpload, isIdle: uploadIdle } = upload
  useEffect(() => {
    if (share.state === 'prepared' && recorded && signer && uploadIdle) startUpload()
  }, [share, consent, recorded, signer, uploadIdle, startUpload])

  const stopSharing = (revokeFirst: boolean) => stop.mutate(revokeFirst)
  const hostStillHolds = share.state === 'uploaded' && !view.opens && (view.kind === 'revoked' || view.kind === 'expired')
  const revoked = status.view.kind === 'revoked' || consent.revokeTx !== undefined

  return (
    <Page title="Consent QR code" description={`${granteeText(consent.grantee, consent.granteeName)} · ${scopeText(consent.scope)}`}>
      {!revoked && <GrantProgress consent={consent} />}

      {share.state === 'prepared' && recorded && (
        <Card title="Upload">
          {(upload.isPending || upload.isIdle) && (
            <p role="status" className="flex items-center gap-2">
              <span aria-hidden="true" className="size-4 animate-spin rounded-full border-2 border-current border-t-transparent" />
              Uploading your encrypted records to the share host…
            </p>
          )}
          {!signer && <ErrorMessage error={new NotYourGrantError()} />}
          {upload.isError && (
            <div className="space-y-3">
              <ErrorMessage error={upload.error} />
              <p>
                Your consent is recorded and active, but the QR code does not work until the upload succeeds. Try again, or revoke the
                consent if you no longer want to share.
              </p>
              <Button onClick={() => upload.mutate()} busy={upload.isPending}>
                Try the upload again
              </Button>
              <RevokeConsent target={{ patient: consent.terms.patient, commitment: consent.commitment, consentId: consent.id, grantKeyIndex: consent.grantKeyIndex }} label="Revoke the consent instead" />
            </div>
          )}
        </Card>
      )}

      {share.state === 'uploaded' && view.opens && (
        <Card title="Show this to them">
          <div className="flex justify-center">
            <button
              type="button"
              onClick={() => setFullScreen(true)}
              className="rounded-lg focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-teal-600"
              aria-label="Show the QR code full screen"
            >
              <QrCode value={link} label={qrLabel} className="w-full max-w-sm rounded-md border border-slate-300" />
            </button>
          </div>
          <div className="flex flex-wrap gap-2">
            <Button onClick={() => setFullScreen(true)}>Show full screen</Button>
            <CopyButton text={link} label="Copy link" />
          </div>
          {share.passcode !== undefined && (
            <div className="space-y-1">
              <p>
                Passcode:{' '}
                <span className="font-mono text-lg font-semibold" data-testid="share-passcode">
                  {showPasscode ? share.passcode : '•'.repeat(share.passcode.length)}
                </span>{' '}
                <Button variant="ghost" onClick={() => setShowPasscode((v) => !v)} aria-pressed={showPasscode}>
                  {showPasscode ? 'Hide' : 'Show'}
                </Button>
              </p>
              <p className="text-sm text-slate-700 dark:text-slate-300">Tell it to them in person. It is not in the QR code or the link.</p>
            </div>
          )}
          <Notice tone="warning">
            Anyone who has this QR code or link{share.passcode !== undefined ? ' and the passcode' : ''} can open these records until the
            consent ends or you stop sharing. Share the link only with the person you mean.
          </Notice>
          <details>
            <summary className="min-h-11 cursor-pointer py-2 font-medium">The link</summary>
            <p className="font-mono text-xs break-all" data-testid="share-link">
              {link}
            </p>
          </details>
        </Card>
      )}
      {fullScreen && (
        <FullScreenQr value={link} label={qrLabel} caption={`${share.label} · until ${dateTimeText(consent.terms.validUntil)}`} onClose={() => setFullScreen(false)} />
      )}

      <Card title="Status">
        <div className="flex flex-wrap items-center gap-3">
          <StatusBadge view={view} />
          {status.readAt > 0 && <LastRead at={status.readAt} stale={status.readFailed} />}
        </div>
        {/* Screen readers hear each change of status here, stopping and revoking included. */}
        <LiveRegion kind="status" testId="share-status-description">
          {view.description}
        </LiveRegion>
        {status.readFailed && <ErrorMessage error={toChainError(status.error)} />}
        <dl className="grid gap-x-4 gap-y-1 sm:grid-cols-[auto_1fr]">
          <dt className="font-semibold">Label</dt>
          <dd className="[overflow-wrap:anywhere]">{share.label}</dd>
          <dt className="font-semibold">Made</dt>
          <dd>{momentText(share.createdAt)}</dd>
          <dt className="font-semibold">Why</dt>
          <dd>{purposeText(consent.terms.purpose)}</dd>
          <dt className="font-semibold">Until</dt>
          <dd>
            {dateTimeText(consent.terms.validUntil)} ({remainingText(consent.terms.validUntil, now)})
          </dd>
          <dt className="font-semibold">Records</dt>
          <dd>{share.recordCount === 1 ? '1 record and this consent' : `${share.recordCount} records and this consent`}</dd>
        </dl>
        <Link to="/consent/$consentId" params={{ consentId: consent.id }} className="font-semibold text-teal-800 underline dark:text-teal-300">
          Consent details
        </Link>
      </Card>

      {share.state === 'uploaded' && (
        <AccessLog
          log={log.data}
          readAt={log.dataUpdatedAt}
          error={log.error}
          polling={isLocalWallet}
          refreshing={log.isFetching}
          onRefresh={() => void log.refetch()}
        />
      )}
      {share.state === 'uploaded' && !signer && <ErrorMessage error={new NotYourGrantError()} />}

      {share.state !== 'stopped' && (view.opens || view.kind === 'not-uploaded' || view.kind === 'locked') && (
        <Card title="Stop sharing">
          <RevokeConsent
            target={{ patient: consent.terms.patient, commitment: consent.commitment, consentId: consent.id, grantKeyIndex: consent.grantKeyIndex }}
            label="Stop sharing"
            onRevoke={() => stopSharing(status.view.revocable)}
            busy={stop.isPending}
            error={stop.error}
          />
        </Card>
      )}
      {hostStillHolds && (
        <Card title="Encrypted copy at the share host">
          <p>The link no longer opens. You can also have the share host delete its encrypted copy now.</p>
          <Button variant="secondary" onClick={() => stopSharing(false)} busy={stop.isPending}>
            Delete the copy at the share host
          </Button>
          <ChainErrorMessage error={stop.error} />
        </Card>
      )}
      {share.state === 'stopped' && (
        <Notice tone="info">
          <p>
            Sharing stopped{share.stoppedAt ? ` on ${momentText(share.stoppedAt)}` : ''}. What was already viewed cannot be recalled.
          </p>
        </Notice>
      )}
    </Page>
  )
}
