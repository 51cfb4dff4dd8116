import { useMemo } from 'react'
import { Link } from '../../platform/router.tsx'
import { ErrorMessage } from '../../ui/ErrorMessage.tsx'
import { LiveRegion } from '../../ui/LiveRegion.tsx'
import { Page } from '../../ui/Page.tsx'
import { Problem } from './Problem.tsx'
import { ScanAgain } from './ScanAgain.tsx'
import { useHeldSharedLink } from './sharedLink.ts'
import { GrantAtHost } from './GrantAtHost.tsx'
import { grantInLink, readViewerLink } from './viewerActions.ts'
import { VerifiedView } from './VerifiedView.tsx'

/**
 * The clinician's view of a shared record: reads the link held in this tab's memory (taken out
 * of the address, or scanned) and the grant behind it (in the link, or at its share host),
 * checks the consent on chain, asks for their name (and the
 * passcode when there is one), opens the share and checks it against the grant. Shows the
 * records with a verification banner, or a clear red state. Nothing is stored on this device:
 * closing or reloading the page forgets everything, the link included.
 */
export function ViewScreen() {
  const held = useHeldSharedLink()
  const parsed = useMemo(() => {
    if (!held) return undefined
    try {
      return { viewer: readViewerLink(held.text), error: undefined }
    } catch (error) {
      return { viewer: undefined, error }
    }
  }, [held])

  if (!held || !parsed) return <OpenAgain />
  if (!parsed.viewer) {
    return (
      <Page title="This link cannot be opened">
        <LiveRegion kind="alert">
          <Problem title="The link is malformed">
            <ErrorMessage error={parsed.error} inLiveRegion />
          </Problem>
        </LiveRegion>
        <ScanAgain />
      </Page>
    )
  }
  const inLink = grantInLink(parsed.viewer)
  if (!inLink) return <GrantAtHost key={held.id} read={parsed.viewer} opening={held.id} />
  return <VerifiedView key={held.id} viewer={inLink} opening={held.id} />
}

/** /view with no link in memory: after a reload, or Back to a viewer page of an earlier visit. */
function OpenAgain() {
  return (
    <Page title="Open the link again or scan the QR code">
      <p>
        To protect the patient, CareKey keeps a shared link only while its page is open. It is not kept in the address or in the
        browser’s history, so reloading the page or coming back to it does not open the records again.
      </p>
      <Link to="/scan" className="inline-flex min-h-11 items-center font-semibold text-teal-800 underline dark:text-teal-300">
        Scan the consent QR code
      </Link>
    </Page>
  )
}
