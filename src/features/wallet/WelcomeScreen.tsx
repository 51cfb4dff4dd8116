import { Link } from '../../platform/router.tsx'
import { SafariStorageNotice } from '../../platform/SafariStorageNotice.tsx'
import { buttonClassName } from '../../ui/Button.tsx'
import { Page, Card } from '../../ui/Page.tsx'

/** First visit: create a wallet or restore one. */
export function WelcomeScreen() {
  return (
    <Page title="Welcome to CareKey" description="Your health records, kept on your device and shared only when you decide.">
      <Card>
        <ul className="list-disc space-y-1 pl-5 text-slate-800 dark:text-slate-200">
          <li>Your records are encrypted on this device. CareKey has no copy.</li>
          <li>You choose who may see what, for what purpose, and until when.</li>
          <li>Every consent is recorded publicly so a clinician can check it is real. Your health data never is.</li>
        </ul>
      </Card>
      <SafariStorageNotice screen="welcome" />
      <div className="flex flex-col gap-3 sm:flex-row">
        <Link to="/create" className={buttonClassName('primary')}>
          Create a new wallet
        </Link>
        <Link to="/restore" className={buttonClassName('secondary')}>
          Restore from a recovery phrase
        </Link>
      </div>
    </Page>
  )
}
