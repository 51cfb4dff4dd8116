import { useEffect, useRef, useState, type RefObject } from 'react'
import { zeroAddress } from 'viem'
import { useBalance } from 'wagmi'
import { WalletLockedError } from '../../domain/wallet/errors.ts'
import { appConfig } from '../../platform/config.ts'
import { NeedsNetwork, useDirtyForm, useOnlineStatus, useStepsInAddress } from '../../platform/index.ts'
import { Link, useNavigate } from '../../platform/router.tsx'
import { Button, buttonClassName } from '../../ui/Button.tsx'
import { ErrorMessage, Notice } from '../../ui/ErrorMessage.tsx'
import { LiveRegion } from '../../ui/LiveRegion.tsx'
import { Card, Page } from '../../ui/Page.tsx'
import { RelayError } from '../../shareHost/relay.ts'
import type { ConsentSender } from '../../storage/consentsRepository.ts'
import { useRecordSummaries } from '../records/index.ts'
import { useWalletKeys } from '../wallet/index.ts'
import { ChainErrorMessage, SwitchNetworkButton } from './ChainErrorMessage.tsx'
import {
  EMPTY_GRANT_FORM,
  GRANT_STEP_IDS,
  firstStepWith,
  GrantFormError,
  grantStepErrors,
  isAboutYou,
  grantStepPlace,
  makesShare,
  nextGrantStep,
  readGrantForm,
  type GrantForm,
  type GrantFormField,
  type GrantStep,
} from './grantForm.ts'
import { DurationFields, GranteeFields, PurposeFields, ScopeFields, ShareFields } from './GrantFormFields.tsx'
import { GrantReview } from './GrantReview.tsx'
import { registry, useNow, usePrepareGrant, useSendGrant, useSigningAccount } from './hooks.ts'
import { readShareRecords, recordIdsInScope } from './shareRecords.ts'

/** `/consent/new?with=qr` (the share shortcut) keeps the QR code on even for a named clinician. */
function initialForm(withQr: boolean): GrantForm {
  return withQr ? { ...EMPTY_GRANT_FORM, granteeMode: 'bearer', share: true } : EMPTY_GRANT_FORM
}

/** Checks a step before the signing account is known: it only matters for "not your own address", checked again at the end. */
const NO_PATIENT_YET = zeroAddress

/**
 * Grant a consent, in short steps a phone screen holds: what, who (and the consent QR code),
 * why, how long, then a review in plain words of what is shared and what becomes public, with
 * the signature and the transaction. Each step has Back and Next, its own heading (focus moves
 * to it) and "Step 2 of 5", and is checked before Next. The answers live here, so they survive
 * Back and Next; the defaults make the common case (all my records, for the clinician I show
 * the QR code to, for treatment, 24 hours) a few taps. After sending, the consent's screen (or
 * its QR screen) follows the confirmation.
 */
export function GrantConsentScreen({ withQr = false }: { withQr?: boolean }) {
  const keys = useWalletKeys()
  const signer = useSigningAccount()
  const summaries = useRecordSummaries()
  const now = useNow()
  const online = useOnlineStatus()
  const [initial] = useState<GrantForm>(() => initialForm(withQr))
  const [form, setForm] = useState<GrantForm>(initial)
  // The step is in the address, so the phone's Back button goes back a step; the answers stay here.
  const steps = useStepsInAddress(GRANT_STEP_IDS)
  // Problems are shown on the step they were found for, and gone once the patient moves on.
  const [problems, setProblems] = useState<{ step: GrantStep; fields: Partial<Record<GrantFormField, string>> }>()
  const prepare = usePrepareGrant()
  const send = useSendGrant(prepare.data)
  // The review shows a prepared grant: without one (changed answers, or let go at a lock), the last step asks again.
  const step: GrantStep = steps.step === 'review' && !prepare.data ? 'how-long' : steps.step
  const errors = problems?.step === step ? problems.fields : {}
  const navigate = useNavigate()
  const aboutYouIds = (summaries.data ?? []).filter(isAboutYou).map((s) => s.id)
  const errorSummary = useRef<HTMLDivElement>(null)
  const stepHeading = useRef<HTMLHeadingElement>(null)
  // The step the screen opened at, until it moves.
  const opened = useRef<GrantStep | undefined>(step)
  // Unsent answers, or steps already gone through, keep an app update from reloading the page under the patient.
  useDirtyForm((form !== initial || step !== 'what') && !send.isSuccess)

  // The screen's own heading has focus when it opens; each step after that takes it, whether
  // Next, Back or the browser's own buttons moved there. A failed send is not shown on another step.
  const { isPending: sending, reset: resetSend } = send
  useEffect(() => {
    if (step === opened.current) return
    opened.current = undefined
    stepHeading.current?.focus()
    if (!sending) resetSend()
    // Only when the step changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [step])

  const change = (patch: Partial<GrantForm>) => {
    setForm((current) => ({ ...current, ...patch }))
    prepare.reset()
  }

  const goTo = steps.goTo

  const showErrors = (fields: Partial<Record<GrantFormField, string>>, where: GrantStep = step) => {
    setProblems({ step: where, fields })
    requestAnimationFrame(() => errorSummary.current?.focus())
  }

  const next = () => {
    const found = grantStepErrors(form, step, { patient: signer.address ?? NO_PATIENT_YET, now: new Date(), aboutYouIds })
    if (Object.keys(found).length > 0) return showErrors(found)
    setProblems(undefined)
    const following = nextGrantStep(step, 1)
    if (following === 'review') review()
    else if (following) goTo(following)
  }

  const back = () => {
    setProblems(undefined)
    const previous = nextGrantStep(step, -1)
    if (previous) goTo(previous)
  }

  const review = () => {
    if (!signer.address) return
    let choices
    try {
      choices = readGrantForm(form, { patient: signer.address, now: new Date(), aboutYouIds })
    } catch (error) {
      if (!(error instanceof GrantFormError)) throw error
      // An answer of an earlier step no longer holds (a custom end now too soon, your own address): back to it.
      const where = firstStepWith(error.fields)
      if (where && where !== step) goTo(where)
      showErrors(error.fields, where ?? step)
      return
    }
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
      { onSuccess: () => goTo('review') },
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
  const heading = <StepHeading step={step} headingRef={stepHeading} />

  if (step === 'review' && prepare.data) {
    const shares = prepare.data.share !== undefined
    return (
      <Page title="Grant a consent">
        {heading}
        <p>Check it before you sign. Nothing is recorded until you do.</p>
        <GrantReview prepared={prepare.data} summaries={summaries.data ?? []} now={now} />
        <NeedsNetwork action="Granting a consent" />
        <div className="flex flex-wrap gap-2">
          <Button onClick={() => grant('sponsor')} busy={send.isPending && send.variables === 'sponsor'} disabled={!online || send.isPending}>
            {send.isPending && send.variables === 'sponsor' ? 'Recording…' : shares ? 'Grant consent and make QR code' : 'Grant consent'}
          </Button>
          <Button variant="secondary" disabled={send.isPending} onClick={back}>
            Back
          </Button>
        </div>
        {/* The button says "Recording…" too, but a screen reader does not read a button again when its name changes. */}
        <LiveRegion kind="status" className="sr-only">
          {send.isPending && 'Recording your consent on the network…'}
        </LiveRegion>
        <LiveRegion kind="alert">
          <ChainErrorMessage error={send.error} inLiveRegion />
        </LiveRegion>
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

  const lastBeforeReview = nextGrantStep(step, 1) === 'review'
  return (
    <Page title="Grant a consent" description={step === 'what' ? 'Four short steps, then you review it before anything is recorded.' : undefined}>
      <form
        className="space-y-6"
        noValidate
        // Names, labels and passcodes typed here must not land in the browser's autofill store.
        autoComplete="off"
        aria-labelledby={STEP_HEADING_ID}
        onSubmit={(e) => {
          e.preventDefault()
          next()
        }}
      >
        {heading}
        {fieldErrors && (
          <div ref={errorSummary} tabIndex={-1} className="outline-none">
            <ErrorMessage error={new GrantFormError(errors)} />
          </div>
        )}
        {step === 'what' &&
          (summaries.isPending ? <p role="status">Opening your records…</p> : <ScopeFields form={form} change={change} errors={errors} summaries={summaries.data ?? []} />)}
        {step === 'what' && <ErrorMessage error={summaries.error} />}
        {step === 'who' && (
          <>
            <GranteeFields form={form} change={change} errors={errors} />
            <ShareFields form={form} change={change} errors={errors} />
          </>
        )}
        {step === 'why' && <PurposeFields form={form} change={change} errors={errors} />}
        {step === 'how-long' && <DurationFields form={form} change={change} errors={errors} now={now} />}
        <div className="flex flex-wrap items-center gap-2">
          {/* What "all my records" holds must be known before the review counts and encrypts it. */}
          <Button type="submit" busy={prepare.isPending} disabled={(lastBeforeReview && !signer.address) || summaries.isPending}>
            {prepare.isPending ? (makesShare(form) ? 'Encrypting your records…' : 'Preparing…') : lastBeforeReview ? 'Review' : 'Next'}
          </Button>
          {step === 'what' ? (
            <Link to="/consent" className={buttonClassName('secondary')}>
              Cancel
            </Link>
          ) : (
            <Button variant="secondary" onClick={back} disabled={prepare.isPending}>
              Back
            </Button>
          )}
        </div>
        {lastBeforeReview && !signer.address && <p role="status">Connecting your wallet…</p>}
        <ErrorMessage error={prepare.error} />
      </form>
    </Page>
  )
}

const STEP_HEADING_ID = 'grant-step-heading'

/** A step's heading with where it is ("Step 2 of 5"), which takes focus when the step opens. */
function StepHeading({ step, headingRef }: { step: GrantStep; headingRef: RefObject<HTMLHeadingElement | null> }) {
  const place = grantStepPlace(step)
  return (
    <h2
      id={STEP_HEADING_ID}
      ref={headingRef}
      tabIndex={-1}
      aria-label={`${place.text}: ${place.title}`}
      className="text-xl font-semibold text-slate-900 outline-none dark:text-slate-100"
      data-testid="grant-step"
    >
      <span className="block text-sm font-medium text-slate-600 dark:text-slate-400">{place.text}</span>
      {place.title}
    </h2>
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
