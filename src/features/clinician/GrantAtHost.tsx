import { ShareHostBusyError, ShareHostTimeoutError, ShareHostUnreachableError } from '../../shareHost/client.ts'
import { Button } from '../../ui/Button.tsx'
import { ErrorMessage } from '../../ui/ErrorMessage.tsx'
import { LiveRegion } from '../../ui/LiveRegion.tsx'
import { Page } from '../../ui/Page.tsx'
import { Problem } from './Problem.tsx'
import { ScanAgain } from './ScanAgain.tsx'
import { useLinkGrant } from './useLinkGrant.ts'
import type { ReadLink } from './viewerActions.ts'
import { VerifiedView } from './VerifiedView.tsx'

const TITLE = 'Shared health records'

/**
 * A link whose grant is at its share host: reads it (no passcode) and decrypts it with the
 * link's key, then hands over to the verified view, which checks it on chain before it asks for
 * the passcode. Says why when the grant is missing, unreadable or the host cannot be reached.
 */
export function GrantAtHost({ read, opening }: { read: ReadLink; opening: number }) {
  const grant = useLinkGrant(read, opening)

  if (grant.isPending || grant.isError) {
    const passing = grant.error instanceof ShareHostUnreachableError || grant.error instanceof ShareHostBusyError || grant.error instanceof ShareHostTimeoutError
    // The same page and regions while it reads and when it fails, so that the failure is announced.
    return (
      <Page title={TITLE}>
        <LiveRegion kind="status">{grant.isPending && <p>Reading the consent from the share host…</p>}</LiveRegion>
        <LiveRegion kind="alert">
          {grant.isError && (
            <Problem title="The consent could not be read">
              <ErrorMessage error={grant.error} inLiveRegion />
            </Problem>
          )}
        </LiveRegion>
        {grant.isError && passing && (
          <Button onClick={() => void grant.refetch()} busy={grant.isFetching}>
            Try again
          </Button>
        )}
        {grant.isError && <ScanAgain />}
      </Page>
    )
  }
  return <VerifiedView viewer={grant.data} opening={opening} />
}
