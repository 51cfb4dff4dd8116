import { Link } from '../../platform/router.tsx'

/** Back to the scanner, for another consent QR. */
export function ScanAgain() {
  return (
    <Link to="/scan" className="inline-flex min-h-11 items-center font-semibold text-teal-800 underline dark:text-teal-300">
      Scan another consent QR
    </Link>
  )
}
