import { useId, useSyncExternalStore } from 'react'
import { Button } from '../ui/Button.tsx'
import { Notice } from '../ui/ErrorMessage.tsx'
import { Link } from './router.tsx'
import { currentBrowserEnvironment, safariOutsideHomeScreen, type BrowserEnvironment, type SafariDevice } from './safariStorage.ts'

/** Where the notice is shown, which decides what it says about the wallet and the backup. */
export type SafariNoticeScreen = 'welcome' | 'unlock' | 'app' | 'backup'

// Hidden for the rest of this page's life once the patient says so (never on the Backup screen).
let hidden = false
const listeners = new Set<() => void>()
const subscribe = (listener: () => void) => {
  listeners.add(listener)
  return () => {
    listeners.delete(listener)
  }
}
const isHidden = () => hidden
function hide() {
  hidden = true
  for (const listener of listeners) listener()
}

/**
 * On Safari outside the Home Screen (or Dock) app only: explains Safari's seven-day rule, how to
 * add CareKey to the Home Screen (iPhone, iPad) or the Dock (Mac), and urges a backup. Anywhere
 * but the Backup screen the patient may hide it until CareKey is opened again; the Backup
 * screen always shows it. Renders nothing in any other browser.
 *
 * @example
 * <SafariStorageNotice screen="welcome" />
 * <SafariStorageNotice screen="backup" />
 */
export function SafariStorageNotice({ screen, env }: { screen: SafariNoticeScreen; env?: BrowserEnvironment }) {
  const headingId = useId()
  const dismissed = useSyncExternalStore(subscribe, isHidden, isHidden)
  const device = safariOutsideHomeScreen(env ?? currentBrowserEnvironment())
  const dismissible = screen !== 'backup'
  if (!device || (dismissible && dismissed)) return null
  const place = device === 'mac' ? 'Dock' : 'Home Screen'
  const there = device === 'mac' ? 'in your Dock' : 'on your Home Screen'
  return (
    <Notice tone="warning">
      <section aria-labelledby={headingId} className="space-y-2">
        <h2 id={headingId} className="text-lg font-semibold">
          Safari may delete your records
        </h2>
        <p>
          Safari deletes what a website keeps on this device, CareKey’s wallet and records included, after seven days of using Safari without opening
          CareKey. CareKey added to your {place} is not part of Safari, and keeps its data.
        </p>
        <Steps device={device} />
        <p>
          CareKey {there} keeps its own data, apart from Safari’s.{' '}
          {screen === 'welcome'
            ? 'Add it first, then create or restore your wallet there.'
            : 'If it opens without your wallet, restore it there with your recovery phrase and your backup.'}
        </p>
        <BackupAdvice screen={screen} />
        {dismissible && (
          <Button variant="secondary" onClick={hide}>
            Hide for now
          </Button>
        )}
      </section>
    </Notice>
  )
}

function Steps({ device }: { device: SafariDevice }) {
  if (device === 'mac') {
    return (
      <ol className="list-decimal space-y-1 pl-5">
        <li>
          In Safari’s menu bar, choose <strong>File</strong>, then <strong>Add to Dock</strong> (macOS Sonoma or later).
        </li>
        <li>From then on, open CareKey from the Dock.</li>
      </ol>
    )
  }
  return (
    <ol className="list-decimal space-y-1 pl-5">
      <li>
        Tap the <strong>Share</strong> button (a square with an arrow pointing up).
      </li>
      <li>
        Choose <strong>Add to Home Screen</strong> (scroll down the list if you do not see it).
      </li>
      <li>From then on, open CareKey from its icon on your Home Screen.</li>
    </ol>
  )
}

function BackupAdvice({ screen }: { screen: SafariNoticeScreen }) {
  switch (screen) {
    case 'welcome':
      return <p>Once you have records, back them up: a backup is how they come back if this browser’s data is deleted.</p>
    case 'unlock':
      return <p>After you unlock, back up your records (Records, then Backup and storage): a backup is how they come back if this browser’s data is deleted.</p>
    case 'backup':
      return <p className="font-semibold">Back up your records below: a backup is how they come back if this browser’s data is deleted.</p>
    case 'app':
      return (
        <p>
          A backup is how your records come back if this browser’s data is deleted.{' '}
          <Link to="/records/backup" className="inline-flex min-h-11 items-center font-semibold underline">
            Back up your records
          </Link>
        </p>
      )
  }
}
