import { useEffect, useState, type ReactNode } from 'react'

/**
 * A live region: screen readers announce what changes inside it. A region that appears
 * together with its words is often not announced, so a screen renders it always (empty when
 * there is nothing to say; an empty one takes no room) and changes only what is inside.
 * `status` is polite (read once the screen reader is done) for progress and success; `alert`
 * interrupts, for failures. Put each message in one region only, and leave the ErrorMessage
 * inside an alert region unannounced (`inLiveRegion`), so nothing is read twice.
 *
 * With `announceOnArrival`, the words the region opens with are announced too: they appear a
 * frame after the region does. For an outcome a screen opens on (a consent recorded while the
 * screen before sent it).
 *
 * @example
 * <LiveRegion kind="status" className="sr-only">{send.isPending && 'Recording your consent on the network…'}</LiveRegion>
 * <LiveRegion kind="alert"><ErrorMessage error={send.error} inLiveRegion /></LiveRegion>
 */
export function LiveRegion({
  kind,
  announceOnArrival = false,
  className = '',
  testId,
  children,
}: {
  kind: 'status' | 'alert'
  announceOnArrival?: boolean
  className?: string
  testId?: string
  children?: ReactNode
}) {
  const arrived = useArrived()
  return (
    <div role={kind} className={`empty:absolute ${className}`} data-testid={testId}>
      {!announceOnArrival || arrived ? children : null}
    </div>
  )
}

/** False until a frame after the first paint. */
function useArrived(): boolean {
  const [arrived, setArrived] = useState(false)
  useEffect(() => {
    const frame = requestAnimationFrame(() => setArrived(true))
    return () => cancelAnimationFrame(frame)
  }, [])
  return arrived
}
