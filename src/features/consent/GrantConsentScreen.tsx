import { useEffect, useRef, useState } from 'react'
import { useBalance } from 'wagmi'
import { WalletLockedError } from '../../domain/wallet/errors.ts'
import { appConfig } from '../../platform/config.ts'
import { NeedsNetwork, useDirtyForm, useOnlineStatus } from '../../platform/index.ts'
import { Link, useNavigate } from '../../platform/router.tsx'
import { Button, buttonClassName } from '../../ui/Button.tsx'
import { ErrorMessage, Notice } from '../../ui/ErrorMessage.tsx'
import { Card, Page } from '../../ui/Page.tsx'
import { RelayError } from '../../shareHost/relay.ts'
import type { ConsentSender } from '../../storage/consentsRepository.ts'
import { useRecordSummaries } from '../records/index.ts'
import { useWalletKeys } from '../wallet/index.ts'
import { ChainErrorMessage, SwitchNetworkButton } from './ChainErrorMessage.tsx'
import { EMPTY_GRANT_FORM, GrantFormError, makesShare, readGrantForm, type GrantForm, type GrantFormField } from './grantForm.ts'
import { DurationFields, GranteeFields, PurposeFields, ScopeFields, ShareFields } from './GrantFormFields.tsx'
import { GrantReview } from './GrantReview.tsx'
import { registry, useNow, usePrepareGrant, useSendGrant, useSigningAccount } from './hooks.ts'
import { readShareRecords, recordIdsInScope } from './shareRecords.ts'

/** `/consent/new?with=qr` starts with "whoever I show this QR code to" (the share shortcut). */
function initialForm(withQr: boolean): GrantForm {
  return withQr ? { ...EMPTY_GRANT_FORM, granteeMode: 'bearer', share: true } : EMPTY_GRANT_FORM
}

/**
 * Grant a consent: what, with whom, why and how long (and a consent QR code), then a review in
 * plain words of what is shared and what becomes public, then the signature and the
 * transaction. After sending, the consent's screen (or its QR screen) follows the confirmation.
 */
export function GrantConsentScreen({ withQr = false }: { withQr?: boolean }) {
  const keys = useWalletKeys()
  const signer = useSigningAccount()
  const summaries = useRecordSummaries()
  const now = useNow()
  const online = useOnlineStatus()
  const [initial] = useState<GrantForm>(() => initialForm(withQr))
  const [form, setForm] = useState<GrantForm>(initial)
  const [errors, setErrors] = useState<Partial<Record<GrantFormField, string>>>({})
  const [step, setStep] = useState<'edit' | 'review'>('edit')
  const prepare = usePrepareGrant()
  const send = useSendGrant(prepare.data)
  const navigate = useNavigate()
  const errorSummary = useRef<HTMLDivElement>(null)
  // Unsent choices keep an app update from reloading the page under the patient.
  useDirtyForm(form !== initial && !send.isSuccess)

  const change = (patch: Partial<GrantForm>) => {
    setForm((current) => ({ ...current, ...patch }))
    prepare.reset()
  }

  const review = () => {
    if (!signer.address) return
    let choices
    try {
      choices = readGrantForm(form, { patient: signer.address, now: new Date() })
    } catch (error) {
      if (!(error instanceof GrantFormError)) throw error
      setErrors(error.fields)
      requestAnimationFrame(() => errorSummary.current?.focus())
      return
    }
    setErrors({})
    const records = summaries.data ?? []
    prepare.mutate(
      {
        choices,
        registry,
        hostUrl: appConfig.shareHostUrl,
        now: new Date(),
        readRecords: () => {
          if (!keys) throw new WalletLockedError()
          return readShareRecords(keys, recordIdsInScope(records, choices.scope))
        },
      },
      { onSuccess: () => setStep('review') },
    )
  }

  const grant = (via: ConsentSender) => {
    if (!prepare.data) return
    send.mutate(via, {
      onSuccess: ({ consentId, shareId }) =>
        void (shareId
          ? navigate({ to: '/share/$shareId', params: { shareId } })
          : navigate({ to: '/consent/$consentId', params: { consentId } })),
    })
  }

  const wrongNetwork = signer.chainId !== undefined && signer.chainId !== registry.chainId
  const fieldErrors = Object.keys(errors).length > 0

  if (step === 'review' && prepare.data) {
    const shares = prepare.data.share !== undefined
    return (
      <Page title="Review your consent" description="Check it before you sign. Nothing is recorded until you do.">
        <GrantReview prepared={prepare.data} summaries={summaries.data ?? []} now={now} />
        <NeedsNetwork action="Granting a consent" />
        <div className="flex flex-wrap gap-2">
          <Button onClick={() => grant('sponsor')} busy={send.isPending && send.variables === 'sponsor'} disabled={!online || send.isPending}>
            {send.isPending && send.variables === 'sponsor' ? 'Recording…' : shares ? 'Grant consent and make QR code' : 'Grant consent'}
          </Button>
          <Button
            variant="secondary"
            disabled={send.isPending}
            onClick={() => {
              send.reset()
              setStep('edit')
            }}
          >
            Change something
          </Button>
        </div>
        <ChainErrorMessage error={send.error} />
        {send.error instanceof RelayError && (
          <PayFromAccount
            address={signer.address}
            wrongNetwork={wrongNetwork}
            busy={send.isPending && send.variables === 'account'}
            disabled={!online || send.isPending}
            onPay={() => grant('account')}
          />
        )}
      </Page>
    )
  }

  return (
    <Page title="Grant a consent" description="Choose what to share, with whom, why and for how long. You review it before anything is recorded.">
      <form
        className="space-y-6"
        noValidate
        // Names, labels and passcodes typed here must not land in the browser's autofill store.
        autoComplete="off"
        onSubmit={(e) => {
          e.preventDefault()
          review()
        }}
      >
        {fieldErrors && (
          <div ref={errorSummary} tabIndex={-1} className="outline-none">
            <ErrorMessage error={new GrantFormError(errors)} />
          </div>
        )}
        {summaries.isPending ? (
          <p role="status">Opening your records…</p>
        ) : (
          <ScopeFields form={form} change={change} errors={errors} summaries={summaries.data ?? []} />
        )}
        <ErrorMessage error={summaries.error} />
        <GranteeFields form={form} change={change} errors={errors} />
        <PurposeFields form={form} change={change} errors={errors} />
        <DurationFields form={form} change={change} errors={errors} now={now} />
        <ShareFields form={form} change={change} errors={errors} />
        <div className="flex flex-wrap items-center gap-2">
          <Button type="submit" busy={prepare.isPending} disabled={!signer.address}>
            {prepare.isPending ? (makesShare(form) ? 'Encrypting your records…' : 'Preparing…') : 'Review'}
          </Button>
          <Link to="/consent" className={buttonClassName('secondary')}>
            Cancel
          </Link>
        </div>
        {!signer.address && <p role="status">Connecting your wallet…</p>}
        <ErrorMessage error={prepare.error} />
      </form>
    </Page>
  )
}

/**
 * When the sponsor cannot record the consent: the patient may send it from their own account
 * and pay the fee, if it has funds, knowing that this links the consent to that account.
 */
function PayFromAccount({
  address,
  wrongNetwork,
  busy,
  disabled,
  onPay,
}: {
  address: `0x${string}` | undefined
  wrongNetwork: boolean
  busy: boolean
  disabled: boolean
  onPay: () => void
}) {
  const balance = useBalance({ address, chainId: registry.chainId, query: { enabled: address !== undefined } })
  const heading = useRef<HTMLParagraphElement>(null)
  useEffect(() => {
    if (wrongNetwork) heading.current?.focus()
  }, [wrongNetwork])
  if (balance.data === undefined) return null
  if (balance.data.value === 0n) {
    return (
      <Notice tone="info">
        <p>Your own account has no funds to pay the network fee instead, so the consent waits for the sponsor.</p>
        {appConfig.chain.isLocalDevChain && (
          <Link to="/account" className={`${buttonClassName('secondary')} mt-2`}>
            Get test funds on the Account screen
          </Link>
        )}
      </Notice>
    )
  }
  return (
    <Card title="Pay the network fee yourself">
      <p>
        You can record this consent from your own account and pay the small network fee. Anyone can then see that your account sent it, so
        it can be linked to you and to other consents you send this way.
      </p>
      {wrongNetwork ? (
        <Notice tone="warning">
          <p ref={heading} tabIndex={-1} className="font-semibold outline-none" role="alert">
            Your wallet is on another network. CareKey records consents on {appConfig.chain.name}.
          </p>
          <div className="mt-2">
            <SwitchNetworkButton />
          </div>
        </Notice>
      ) : (
        <Button variant="secondary" onClick={onPay} busy={busy} disabled={disabled}>
          {busy ? 'Waiting for your wallet…' : 'Pay the fee from my account'}
        </Button>
      )}
    </Card>
  )
}
