import { useEffect, useRef } from 'react'
import { QrCode } from '../../ui/QrCode.tsx'

/**
 * The consent QR code over the whole screen, black on white whatever the colour scheme, as
 * large as the screen allows, for a camera across a desk. A modal dialog: Escape or the button
 * closes it, focus stays inside. The screen is kept awake while it shows, where the browser can.
 */
export function FullScreenQr({ value, label, caption, onClose }: { value: string; label: string; caption: string; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null)

  useEffect(() => {
    const element = dialog.current
    if (!element) return
    element.showModal()
    let lock: WakeLockSentinel | undefined
    let released = false
    // A best effort: a phone that dims while the clinician aims the camera is the usual failure.
    navigator.wakeLock
      ?.request('screen')
      .then((sentinel) => {
        if (released) void sentinel.release()
        else lock = sentinel
      })
      .catch(() => undefined)
    return () => {
      released = true
      void lock?.release()
      if (element.open) element.close()
    }
  }, [])

  return (
    <dialog
      ref={dialog}
      aria-label="Consent QR code, full screen"
      onClose={onClose}
      className="m-0 h-dvh max-h-none w-screen max-w-none bg-white p-4 text-black backdrop:bg-white"
    >
      <div className="flex h-full flex-col items-center justify-between gap-4">
        <p className="text-center text-lg font-semibold">{caption}</p>
        <QrCode value={value} label={label} className="aspect-square h-auto w-full max-w-[min(100%,calc(100dvh-10rem))]" />
        <button
          type="button"
          autoFocus
          onClick={() => dialog.current?.close()}
          className="min-h-11 rounded-lg border-2 border-black bg-white px-6 py-2 text-lg font-semibold text-black focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-black"
        >
          Close
        </button>
      </div>
    </dialog>
  )
}
