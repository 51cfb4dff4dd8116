import { useMemo } from 'react'
import { useHash } from '../../platform/router.tsx'
import { ErrorMessage } from '../../ui/ErrorMessage.tsx'
import { Page } from '../../ui/Page.tsx'
import { Problem } from './Problem.tsx'
import { ScanAgain } from './ScanAgain.tsx'
import { readViewerLink } from './viewerActions.ts'
import { VerifiedView } from './VerifiedView.tsx'

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
