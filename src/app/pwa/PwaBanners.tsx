import { useState } from 'react'
import { Button } from '../../ui/Button.tsx'
import { useHasDirtyForms } from '../../platform/dirtyForms.ts'
import { useOnlineStatus } from '../../platform/onlineStatus.ts'
import { applyAppUpdate, dismissAppUpdate, useAppUpdateState } from './serviceWorker.ts'

/**
 * What the patient should know about the app itself, under the header of every screen: that
 * the device is offline, and that a new version is ready. One polite live region, so that
 * both are announced when they appear (the region stays in the page, empty and without
 * height, so that screen readers watch it).
 *
 * @example
 * <main><PwaBanners />{children}</main>
 */
export function PwaBanners() {
  return (
    <div aria-live="polite" className="mx-auto w-full max-w-2xl space-y-2 px-4 [&:not(:empty)]:pt-3">
      <OfflineBanner />
      <UpdateBanner />
    </div>
  )
}

function OfflineBanner() {
  const online = useOnlineStatus()
  if (online) return null
  return (
    <p
      data-testid="offline-banner"
      className="flex items-start gap-2 rounded-lg border border-slate-300 bg-slate-100 p-3 text-slate-900 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100"
    >
      <svg aria-hidden="true" viewBox="0 0 24 24" className="mt-0.5 size-5 shrink-0 fill-none stroke-current stroke-2">
        <path d="M2 8.8a15 15 0 0 1 4.2-2.6M10.7 5.1A15 15 0 0 1 22 8.8M5 12.5a10 10 0 0 1 4-2.1M15.5 10.8A10 10 0 0 1 19 12.5M8.5 16a5 5 0 0 1 7 0M12 20h.01M3 3l18 18" strokeLinecap="round" />
      </svg>
      <span>
        <strong>You are offline.</strong> Your wallet and what is stored on this device still work. Chain values show when they were
        last read, and actions that need the network say so.
      </span>
    </p>
  )
}

function UpdateBanner() {
  const { updateReady, reloadNeeded } = useAppUpdateState()
  const formDirty = useHasDirtyForms()
  const [refused, setRefused] = useState(false)

  if (!updateReady && !reloadNeeded) return null
  const blockedByForm = refused && formDirty
  const update = () => {
    if (reloadNeeded) {
      if (formDirty) setRefused(true)
      else window.location.reload()
      return
    }
    setRefused(applyAppUpdate() === 'form-dirty')
  }

  return (
    <section
      aria-label="CareKey update"
      className="space-y-2 rounded-lg border border-teal-300 bg-teal-50 p-3 text-teal-950 dark:border-teal-700 dark:bg-teal-950 dark:text-teal-50"
    >
      <p className="font-semibold">{reloadNeeded ? 'CareKey was updated in another tab.' : 'A new version of CareKey is ready.'}</p>
      <p className="text-sm">
        Updating restarts CareKey, so you will unlock it again. Your wallet and records stay on this device, unchanged.
      </p>
      {blockedByForm && (
        <p role="alert" className="text-sm font-semibold">
          A form on this screen has changes that are not saved yet. Finish or clear it first, then choose Update now.
        </p>
      )}
      <div className="flex flex-wrap gap-2">
        <Button onClick={update}>Update now</Button>
        {!reloadNeeded && (
          <Button variant="secondary" onClick={dismissAppUpdate}>
            Later
          </Button>
        )}
      </div>
    </section>
  )
}
