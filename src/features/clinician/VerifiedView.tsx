import { useEffect, useState, type ReactNode } from 'react'
import { useQuery } from '@tanstack/react-query'
import { usePublicClient } from 'wagmi'
import { appConfig } from '../../platform/config.ts'
import { consentRegistryOf } from '../../chain/consentRegistry.ts'
import { isCareKeyError } from '../../domain/errors.ts'
import { toChainError } from '../../chain/errors.ts'
import { Button } from '../../ui/Button.tsx'
import { ErrorMessage, Notice } from '../../ui/ErrorMessage.tsx'
import { LiveRegion } from '../../ui/LiveRegion.tsx'
import { Page } from '../../ui/Page.tsx'
import { GrantBanner } from './GrantBanner.tsx'
import { InactiveGrant } from './InactiveGrant.tsx'
import { OpenedRecordsView } from './OpenedRecordsView.tsx'
import { measureSince, QR_DECODED_MARK, SHARE_CHECKED_MEASURE } from './marks.ts'
import { OpenShareForm } from './OpenShareForm.tsx'
import { Problem } from './Problem.tsx'
import { sharedGrantQueryOptions } from './queries.ts'
import { ScanAgain } from './ScanAgain.tsx'
import { closesShareForGood, type OpenedRecords, type ViewerLink } from './viewerActions.ts'

/**
 * A readable link: its consent checked on chain (CareKey links), then the form that opens the
 * share, then the records; or the red state of an inactive consent or of tampered data.
 * `opening` numbers each opening of a link: a link opened again reads the chain afresh.
 */
export function VerifiedView({ viewer, opening }: { viewer: ViewerLink; opening: number }) {
  const registry = consentRegistryOf(appConfig)
  const info = viewer.carekey
  const client = usePublicClient()
  const grant = useQuery(sharedGrantQueryOptions(client, registry, info, opening))
  const [opened, setOpened] = useState<OpenedRecords>()
  const [closed, setClosed] = useState<Error>()
  const checked = info !== undefined && grant.data?.status === 'active'
  // Once the checked consent and the open form are in the document: the end of the check the benchmarks time.
  useEffect(() => {
    if (checked) measureSince(QR_DECODED_MARK, SHARE_CHECKED_MEASURE)
  }, [checked])

  const title = viewer.label ?? 'Shared health records'
  const checking = info !== undefined && grant.isPending
  const red = redState()
  // One page whose regions stay while the state changes (checking, verified, a red state), so
  // that screen readers hear each change: the check and its success politely, a red state at once.
  return (
    <Page title={title} documentTitle="Shared health records" description={red || checking || opened ? undefined : 'A patient shared these records with you.'}>
      <LiveRegion kind="status">
        {checking && <p>Checking the consent on chain…</p>}
        {!red && info && grant.data && <p className="sr-only">Consent verified on chain.</p>}
      </LiveRegion>
      <LiveRegion kind="alert">{red?.problem}</LiveRegion>
      {red ? red.then : checking ? null : verified()}
    </Page>
  )

  /** What is wrong, and what follows it on the page; undefined when nothing is. */
  function redState(): { problem: ReactNode; then?: ReactNode } | undefined {
    if (info && !grant.isPending) {
      if (grant.isError && !grant.data) {
        return {
          problem: (
            <Problem title="The consent could not be checked">
              <ErrorMessage error={toChainError(grant.error)} inLiveRegion />
            </Problem>
          ),
          then: (
            <Button onClick={() => void grant.refetch()} busy={grant.isFetching}>
              Try again
            </Button>
          ),
        }
      }
      if (grant.data && grant.data.status !== 'active') {
        return { problem: <InactiveGrant grant={grant.data} info={info} openedBefore={opened !== undefined} />, then: <ScanAgain /> }
      }
    }
    if (closed) return { problem: <ClosedShare error={closed} />, then: <ScanAgain /> }
    if (opened?.data === 'mismatch') {
      return {
        problem: (
          <Problem title="The shared data does not match the consent">
            <p>
              The records this link opens are not the ones the patient consented to share: they were changed or swapped after the consent
              was recorded. They are not shown.
            </p>
            <p className="mt-2 text-sm">Ask the patient to share again, and tell them this link may have been tampered with.</p>
          </Problem>
        ),
      }
    }
    return undefined
  }

  /** The verified consent (or the note that the link carries none), then the form that opens the share or the records. */
  function verified(): ReactNode {
    return (
      <>
        {info && grant.data ? (
          <GrantBanner info={info} grant={grant.data} opened={opened} readAt={grant.dataUpdatedAt} stale={grant.isError} />
        ) : (
          <Notice tone="warning">
            <p className="font-semibold">This link carries no CareKey consent, so it cannot be checked on chain.</p>
            <p className="mt-1 text-sm">It is a SMART Health Link from another app. Its records are shown as the sender shared them.</p>
          </Notice>
        )}
        {opened ? <OpenedRecordsView viewer={viewer} opened={opened} onOpened={setOpened} /> : <OpenShareForm viewer={viewer} onOpened={setOpened} onClosed={setClosed} />}
      </>
    )
  }
}

/**
 * A share that will never open with this link, on its own (never under the verified consent):
 * locked by too many wrong passcodes (only a new QR code from the patient helps), or closed at
 * its host.
 */
function ClosedShare({ error }: { error: Error }) {
  const why = closesShareForGood(error)
  const words = isCareKeyError(error) ? error : undefined
  return (
    <Problem title={why === 'locked' ? 'This QR code is locked' : 'This share is closed'}>
      {words && <p className="font-semibold">{words.userMessage}</p>}
      {words?.hint && <p>{words.hint}</p>}
    </Problem>
  )
}
