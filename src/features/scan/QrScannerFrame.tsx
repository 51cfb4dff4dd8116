import type { ReactNode } from 'react'
import { buttonClassName } from '../../ui/Button.tsx'

/**
 * The scanner's layout: the camera box (4:3, whatever the camera gives), what it is doing in
 * one line, and its buttons. The scanner and its loading placeholder share it, so nothing on
 * the screen moves when the scanner's code arrives, when the camera opens or when it fails: a
 * problem shows inside the camera box, over the picture, not between the lines.
 */
export function QrScannerFrame({ camera, problem, status, controls }: { camera: ReactNode; problem?: ReactNode; status: ReactNode; controls: ReactNode }) {
  return (
    <div className="space-y-3">
      <div className="relative aspect-[4/3] w-full overflow-hidden rounded-xl bg-slate-900">
        {camera}
        {problem && <div className="absolute inset-3 flex flex-col justify-end overflow-y-auto">{problem}</div>}
      </div>
      <p role="status" className="text-sm text-slate-700 dark:text-slate-300">
        {status}
      </p>
      <div className="flex flex-wrap items-end gap-3">{controls}</div>
    </div>
  )
}

/**
 * What shows while the scanner's code loads: the same frame, its buttons laid out but hidden,
 * so the screen below does not jump when the scanner takes its place.
 */
export function QrScannerPlaceholder() {
  return (
    <QrScannerFrame
      camera={null}
      status="Starting the camera…"
      controls={
        <>
          <span aria-hidden="true" className={buttonClassName('secondary', 'invisible')}>
            Stop camera
          </span>
          <span aria-hidden="true" className={buttonClassName('secondary', 'invisible')}>
            Choose a picture of the code
          </span>
        </>
      }
    />
  )
}
