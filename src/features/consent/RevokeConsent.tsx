import { useEffect, useId, useRef, useState } from 'react'
import { NeedsNetwork, useOnlineStatus } from '../../platform/index.ts'
import { Button } from '../../ui/Button.tsx'
import { Notice } from '../../ui/ErrorMessage.tsx'
import { LiveRegion } from '../../ui/LiveRegion.tsx'
import { ChainErrorMessage } from './ChainErrorMessage.tsx'
import { useRevokeGrant, type RevokeTarget } from './hooks.ts'
import { TechnicalDetails } from '../../ui/TechnicalDetails.tsx'
import { TransactionLink } from '../../ui/TransactionLink.tsx'
import { appConfig } from '../../platform/config.ts'
import { RelayError } from '../../shareHost/relay.ts'

/** What revoking does and does not do: said before every revocation. */
export const REVOKE_EXPLANATION =
  'Revoking stops anyone from opening what you shared from now on. It cannot recall what was already viewed or copied.'

/**
 * Revoke with one confirmation that says what revoking can and cannot do. `label` names the
 * action ('Revoke consent', 'Stop sharing'); `onRevoke` replaces the plain revoke (the share
 * screen also stops the share at its host).
 */
export function RevokeConsent({
  target,
  label = 'Revoke consent',
  onRevoke,
  busy,
  error,
}: {
  target: RevokeTarget
  label?: string
  onRevoke?: () => void
  busy?: boolean
  error?: unknown
}) {
  const [confirming, setConfirming] = useState(false)
  const revoke = useRevokeGrant()
  const online = useOnlineStatus()
  const headingId = useId()
  const heading = useRef<HTMLHeadingElement>(null)
  useEffect(() => {
    if (confirming) heading.current?.focus()
  }, [confirming])
  const pending = busy ?? revoke.isPending
  const shownError = error ?? revoke.error

  return (
    <div className="space-y-3">
      {!confirming && (
        <Button variant="danger" onClick={() => setConfirming(true)}>
          {label}
        </Button>
      )}
      {confirming && (
        <section aria-labelledby={headingId} className="space-y-3 rounded-lg border-2 border-red-700 p-3 dark:border-red-400">
          <h3 id={headingId} ref={heading} tabIndex={-1} className="font-semibold outline-none">
            {label}?
          </h3>
          <p>{REVOKE_EXPLANATION}</p>
          <p className="text-sm text-slate-700 dark:text-slate-300">
            {target.grantKeyIndex === undefined
              ? 'This consent was made from your main account, so the revocation is sent from it and costs a small network fee.'
              : "CareKey's sponsor records the revocation on the network: it costs you nothing."}
          </p>
          <NeedsNetwork action="Revoking" />
          <div className="flex flex-wrap gap-2">
            <Button
              variant="danger"
              busy={pending}
              disabled={!online}
              onClick={() => (onRevoke ? onRevoke() : revoke.mutate(target))}
            >
              {pending ? 'Revoking…' : `Yes, ${label.toLowerCase()}`}
            </Button>
            <Button variant="secondary" disabled={pending} onClick={() => setConfirming(false)}>
              Keep it
            </Button>
          </div>
        </section>
      )}
      {/* The outcome is the screen's to announce (its status says revoked); here, that it is under way, and a failure. */}
      <LiveRegion kind="status" className="sr-only">
        {pending && 'Revoking…'}
      </LiveRegion>
      <LiveRegion kind="alert">
        <ChainErrorMessage error={shownError} inLiveRegion />
      </LiveRegion>
      {!onRevoke && revoke.error instanceof RelayError && (
        <div className="space-y-2">
          <p>
            You can send the revocation from your own account instead and pay the small network fee. Anyone can then see that your account
            sent it.
          </p>
          <Button variant="secondary" busy={pending} disabled={!online} onClick={() => revoke.mutate({ ...target, via: 'account' })}>
            Pay the fee from my account
          </Button>
        </div>
      )}
      {revoke.data && (
        <Notice tone="success">
          <p>Revoked: nobody can open it from now on.</p>
          <div className="mt-2">
            <TechnicalDetails
              facts={[
                { label: 'Transaction', value: <TransactionLink hash={revoke.data.transactionHash} explorerUrl={appConfig.chain.explorerUrl} /> },
                { label: 'Block', value: revoke.data.blockNumber.toString() },
              ]}
            />
          </div>
        </Notice>
      )}
    </div>
  )
}
