import { useMemo, useState, type FormEvent, type ReactNode } from 'react'
import { useMutation, useQuery } from '@tanstack/react-query'
import { useConnect, useConnection, usePublicClient, useSignTypedData } from 'wagmi'
import { appConfig } from '../../platform/config.ts'
import { Link, useHash } from '../../platform/router.tsx'
import { useBrowserWallets } from '../../chain/browserWallets.ts'
import { consentRegistryOf } from '../../chain/consentRegistry.ts'
import type { GrantStatus } from '../../domain/consent/index.ts'
import { toChainError } from '../../chain/errors.ts'
import { ShareNotAvailableError, WrongSharePasscodeError, type RecipientSigner } from '../../shareHost/client.ts'
import { decodePurpose, fromUnixSeconds, granteeAddress, purposeOfUse } from '../../domain/consent/index.ts'
import { categoryLabel } from '../../domain/fhir/categories.ts'
import { hasFlag, type CareKeyShareInfo } from '../../domain/shl/index.ts'
import { Button } from '../../ui/Button.tsx'
import { saveFile } from '../../ui/saveFile.ts'
import { ErrorMessage, Notice } from '../../ui/ErrorMessage.tsx'
import { TextField } from '../../ui/Field.tsx'
import { LastRead } from '../../ui/LastRead.tsx'
import { Card, Page } from '../../ui/Page.tsx'
import { QR_DECODED_MARK, SHARE_VERIFIED_MEASURE } from './marks.ts'
import { sharedGrantQueryOptions } from './queries.ts'
import { SharedRecordsView } from './SharedRecordsView.tsx'
import { openSharedRecords, readViewerLink, type OpenedRecords, type SharedGrant, type ViewerLink } from './viewerActions.ts'


/**
 * The clinician's view of a shared record: reads the link in the address, checks the consent on
 * chain, asks for their name (and the passcode when there is one), opens the share and checks it
 * against the grant. Shows the records with a verification banner, or a clear red state.
 * Nothing is stored on this device: closing the page forgets everything.
 */
export function ViewScreen() {
  const hash = useHash()
  const parsed = useMemo(() => {
    try {
      return { viewer: readViewerLink(hash), error: undefined }
    } catch (error) {
      return { viewer: undefined, error }
    }
  }, [hash])

  if (!parsed.viewer) {
    return (
      <Page title="This link cannot be opened">
        <Problem title="The link is malformed">
          <ErrorMessage error={parsed.error} />
        </Problem>
        <ScanAgain />
      </Page>
    )
  }
  return <VerifiedView key={hash} viewer={parsed.viewer} />
}

function VerifiedView({ viewer }: { viewer: ViewerLink }) {
  const registry = consentRegistryOf(appConfig)
  const info = viewer.carekey
  const client = usePublicClient()
  const grant = useQuery(sharedGrantQueryOptions(client, registry, info))
  const [opened, setOpened] = useState<OpenedRecords>()

  const title = viewer.link.payload.label ?? 'Shared health records'

  if (info) {
    if (grant.isPending) {
      return (
        <Page title={title}>
          <p role="status">Checking the consent on chain…</p>
        </Page>
      )
    }
    if (grant.isError && !grant.data) {
      return (
        <Page title={title}>
          <Problem title="The consent could not be checked">
            <ErrorMessage error={toChainError(grant.error)} />
          </Problem>
          <Button onClick={() => void grant.refetch()} busy={grant.isFetching}>
            Try again
          </Button>
        </Page>
      )
    }
    if (grant.data && grant.data.status !== 'active') {
      return (
        <Page title={title}>
          <InactiveGrant grant={grant.data} info={info} openedBefore={opened !== undefined} />
          <ScanAgain />
        </Page>
      )
    }
  }

  if (opened?.data === 'mismatch') {
    return (
      <Page title={title}>
        <Problem title="The shared data does not match the consent">
          <p>
            The records this link opens are not the ones the patient consented to share: they were changed or swapped after the consent
            was recorded. They are not shown.
          </p>
          <p className="mt-2 text-sm">Ask the patient to share again, and tell them this link may have been tampered with.</p>
        </Problem>
      </Page>
    )
  }

  return (
    <Page title={title} description={opened ? undefined : 'A patient shared these records with you.'}>
      {info && grant.data ? (
        <GrantBanner info={info} grant={grant.data} opened={opened} readAt={grant.dataUpdatedAt} stale={grant.isError} />
      ) : (
        <Notice tone="warning">
          <p className="font-semibold">This link carries no CareKey consent, so it cannot be checked on chain.</p>
          <p className="mt-1 text-sm">It is a SMART Health Link from another app. Its records are shown as the sender shared them.</p>
        </Notice>
      )}
      {opened ? <OpenedView opened={opened} /> : <OpenShareForm viewer={viewer} onOpened={setOpened} />}
    </Page>
  )
}

function OpenShareForm({ viewer, onOpened }: { viewer: ViewerLink; onOpened: (opened: OpenedRecords) => void }) {
  const [recipient, setRecipient] = useState('')
  const [passcode, setPasscode] = useState('')
  const [proveAddress, setProveAddress] = useState(false)
  const [submitted, setSubmitted] = useState(false)
  const needsPasscode = hasFlag(viewer.link.payload, 'P')
  const wallets = useBrowserWallets()
  const connection = useConnection()
  const connect = useConnect()
  const sign = useSignTypedData()

  const open = useMutation({
    mutationFn: async () => {
      let recipientSigner: RecipientSigner | undefined
      if (proveAddress && viewer.carekey) {
        const wallet = wallets[0]
        const address = connection.address ?? (wallet ? (await connect.mutateAsync({ connector: wallet })).accounts[0] : undefined)
        if (address) recipientSigner = { address, signTypedData: (typedData) => sign.mutateAsync(typedData) }
      }
      try {
        return await openSharedRecords(viewer, {
          recipient: recipient.trim(),
          ...(needsPasscode && { passcode }),
          ...(recipientSigner && { recipientSigner }),
        })
      } catch (error) {
        throw toChainError(error)
      }
    },
    onSuccess: (opened) => {
      // From the QR decode (marked by the scanner screen) when the link was scanned here.
      if (performance.getEntriesByName(QR_DECODED_MARK).length > 0) performance.measure(SHARE_VERIFIED_MEASURE, QR_DECODED_MARK)
      onOpened(opened)
    },
    onError: () => setPasscode(''),
  })

  const submit = (event: FormEvent) => {
    event.preventDefault()
    setSubmitted(true)
    if (recipient.trim() === '' || (needsPasscode && passcode === '')) return
    open.mutate()
  }
  const wrongPasscode = open.error instanceof WrongSharePasscodeError ? open.error : undefined
  const closedForGood = open.error instanceof ShareNotAvailableError || wrongPasscode?.remainingAttempts === 0

  if (closedForGood) {
    return (
      <Problem title="This share is closed">
        <ErrorMessage error={open.error} />
      </Problem>
    )
  }

  return (
    <Card title="Open the shared records">
      <form onSubmit={submit} className="space-y-4" noValidate>
        <TextField
          label="Your name and role"
          hint="The patient sees it in their access log, for example “Dr. Ada Lovelace, Riverside Clinic”."
          autoComplete="name"
          value={recipient}
          maxLength={200}
          onChange={(e) => setRecipient(e.target.value)}
          error={submitted && recipient.trim() === '' ? 'Tell the patient who is opening their records.' : undefined}
        />
        {needsPasscode && (
          <TextField
            label="Passcode"
            hint="The patient tells you the passcode. Wrong attempts are limited."
            type="password"
            autoComplete="off"
            value={passcode}
            onChange={(e) => setPasscode(e.target.value)}
            error={submitted && passcode === '' && !wrongPasscode ? 'Type the passcode the patient gave you.' : undefined}
          />
        )}
        {viewer.carekey && wallets.length > 0 && (
          <label className="flex min-h-11 items-center gap-3">
            <input type="checkbox" className="size-5" checked={proveAddress} onChange={(e) => setProveAddress(e.target.checked)} />
            <span>Prove my address to the patient with {wallets[0]?.name ?? 'my wallet'}</span>
          </label>
        )}
        <ErrorMessage error={open.error} />
        <Button type="submit" busy={open.isPending}>
          {open.isPending ? 'Opening and checking…' : 'Open records'}
        </Button>
      </form>
    </Card>
  )
}

function OpenedView({ opened }: { opened: OpenedRecords }) {
  return (
    <div className="space-y-5">
      {opened.outOfScope.length > 0 && (
        <Notice tone="warning">
          <p className="font-semibold">
            {opened.outOfScope.length} shared {opened.outOfScope.length === 1 ? 'record is' : 'records are'} outside the consented categories.
          </p>
        </Notice>
      )}
      {opened.rejected.length > 0 && (
        <Notice tone="warning">
          <p>
            {opened.rejected.length} {opened.rejected.length === 1 ? 'entry' : 'entries'} could not be read as FHIR R4 records and{' '}
            {opened.rejected.length === 1 ? 'is' : 'are'} not shown.
          </p>
        </Notice>
      )}
      {opened.resources.length === 0 ? <p>The share holds no records.</p> : <SharedRecordsView resources={opened.resources} />}
      <Card title="Keep a copy">
        <p className="text-sm text-slate-700 dark:text-slate-300">
          Nothing is kept on this device when you close the page. To keep the records, download them as FHIR JSON.
        </p>
        <Button variant="secondary" onClick={() => saveFile(new Blob([opened.plaintext as BlobPart], { type: 'application/fhir+json' }), 'shared-records.fhir.json')}>
          Download FHIR JSON
        </Button>
      </Card>
    </div>
  )
}

function GrantBanner({
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
  return (
    <section aria-labelledby="consent-banner" className="space-y-3 rounded-xl border-2 border-emerald-600 bg-emerald-50 p-4 text-emerald-950 dark:border-emerald-500 dark:bg-emerald-950 dark:text-emerald-50">
      <h2 id="consent-banner" className="flex items-center gap-2 text-lg font-bold">
        <svg aria-hidden="true" viewBox="0 0 20 20" className="size-5 fill-current">
          <path d="M10 1 3 4v5c0 4.4 3 8.5 7 10 4-1.5 7-5.6 7-10V4l-7-3Zm-1.2 12.6L5.4 10.2l1.4-1.4 2 2 4.4-4.4 1.4 1.4-5.8 5.8Z" />
        </svg>
        Consent verified on chain
      </h2>
      <dl className="grid grid-cols-1 gap-x-4 gap-y-1 sm:grid-cols-[auto_1fr]">
        <Fact label="Granted by the patient">
          <span className="font-mono break-all">{terms.patient}</span>
        </Fact>
        <Fact label="Purpose">
          {purpose.label} ({purpose.code})
        </Fact>
        <Fact label="Valid until">{formatDateTime(fromUnixSeconds(terms.validUntil))}</Fact>
        <Fact label="Granted to">
          {grantee ? <span className="font-mono break-all">{grantee}</span> : 'Whoever the patient shows this QR code to'}
        </Fact>
        {scope && <Fact label="What is shared">{[...scope.categories.map(categoryLabel), ...(scope.recordIds.length ? [`${scope.recordIds.length} chosen records`] : [])].join(', ')}</Fact>}
        {grant.granted && (
          <Fact label="Recorded">
            block {grant.granted.blockNumber.toString()}, transaction <TransactionLink hash={grant.granted.transactionHash} />
          </Fact>
        )}
        {opened && (
          <Fact label="Data">
            {opened.data === 'match' ? 'Exactly what the patient consented to share (its fingerprint matches)' : 'The consent does not fix the data'}
          </Fact>
        )}
      </dl>
      <LastRead at={readAt} stale={stale} />
      <p className="text-sm">The patient can revoke this consent at any time; this page checks it again every few seconds.</p>
    </section>
  )
}

const statusWords: Record<Exclude<GrantStatus, 'active'>, { title: string; body: string }> = {
  revoked: { title: 'Consent revoked', body: 'The patient revoked this consent. The records can no longer be opened with this link.' },
  expired: { title: 'Consent expired', body: 'This consent has ended. The records can no longer be opened with this link.' },
  pending: { title: 'Consent not yet valid', body: 'This consent starts later. Open the link again when it has started.' },
  unknown: {
    title: 'Consent unknown on chain',
    body: 'No consent with these terms is recorded on chain. The link was not made by the patient’s app, or it was altered.',
  },
}

function InactiveGrant({ grant, info, openedBefore }: { grant: SharedGrant; info: CareKeyShareInfo; openedBefore: boolean }) {
  const words = statusWords[grant.status === 'active' ? 'unknown' : grant.status]
  return (
    <Problem title={words.title}>
      <p>{words.body}</p>
      {grant.status === 'expired' && <p className="mt-1">It ended on {formatDateTime(fromUnixSeconds(info.terms.validUntil))}.</p>}
      {grant.revoked && (
        <p className="mt-1 text-sm">
          Revoked in block {grant.revoked.blockNumber.toString()}, transaction <TransactionLink hash={grant.revoked.transactionHash} />.
        </p>
      )}
      {openedBefore && <p className="mt-1 text-sm">The records you opened earlier are no longer shown.</p>}
      <p className="mt-2 text-sm">Ask the patient for a new consent if you still need the records.</p>
    </Problem>
  )
}

function Problem({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section role="alert" aria-labelledby="problem-title" className="space-y-2 rounded-xl border-2 border-red-700 bg-red-50 p-4 text-red-950 dark:border-red-500 dark:bg-red-950 dark:text-red-50">
      <h2 id="problem-title" className="text-lg font-bold">
        {title}
      </h2>
      {children}
    </section>
  )
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="contents">
      <dt className="font-semibold">{label}</dt>
      <dd>{children}</dd>
    </div>
  )
}

function TransactionLink({ hash }: { hash: string }) {
  const short = `${hash.slice(0, 10)}…${hash.slice(-8)}`
  if (!appConfig.chain.explorerUrl) return <span className="font-mono" title={hash}>{short}</span>
  return (
    <a className="font-mono underline" href={`${appConfig.chain.explorerUrl}/tx/${hash}`} target="_blank" rel="noreferrer" title={hash}>
      {short}
    </a>
  )
}

function ScanAgain() {
  return (
    <Link to="/scan" className="inline-flex min-h-11 items-center font-semibold text-teal-800 underline dark:text-teal-300">
      Scan another consent QR
    </Link>
  )
}

function formatDateTime(date: Date): string {
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}
