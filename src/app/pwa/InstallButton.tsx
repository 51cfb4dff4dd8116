import { Button } from '../../ui/Button.tsx'
import { useSyncExternalStore } from 'react'
import { canInstall, promptInstall, subscribeToInstallOffer } from './installPrompt.ts'

/**
 * "Install CareKey", shown only where the browser offers installation.
 *
 * @example
 * <header>… <InstallButton /> <LockButton /></header>
 */
export function InstallButton() {
  const installable = useSyncExternalStore(subscribeToInstallOffer, canInstall, () => false)
  if (!installable) return null
  return (
    <Button variant="ghost" onClick={() => void promptInstall()} className="px-3">
      <svg aria-hidden="true" viewBox="0 0 24 24" className="size-5 fill-none stroke-current stroke-2">
        <path d="M12 3v12m0 0-4-4m4 4 4-4M5 17v2a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2v-2" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
      Install<span className="sr-only sm:not-sr-only"> CareKey</span>
    </Button>
  )
}
