import type { ReactNode } from 'react'
import type { NavItem } from './nav.ts'

/** One outline shape per main destination, drawn on a 24 × 24 grid with a 1.75 stroke. */
const shapes: Record<NavItem['to'], ReactNode> = {
  // A page with lines of text.
  '/records': (
    <>
      <path d="M6.5 3h7.5l4.5 4.5V21h-12z" />
      <path d="M13.5 3v5h5M9.5 12.5h5M9.5 16.5h5" />
    </>
  ),
  // A shield with a tick.
  '/consent': (
    <>
      <path d="M12 3l7 2.8v5.4c0 4.4-3 8.3-7 9.8-4-1.5-7-5.4-7-9.8V5.8z" />
      <path d="m9 12 2.2 2.2L15.5 10" />
    </>
  ),
  // A QR code's three finder squares and a few modules.
  '/share': (
    <>
      <path d="M4 4h6v6H4zM14 4h6v6h-6zM4 14h6v6H4z" />
      <path d="M14 14h2.5v2.5H14zM17.5 17.5H20V20h-2.5zM14 19.5h1.5M19.5 14v1.5" />
    </>
  ),
  // A person.
  '/account': (
    <>
      <circle cx="12" cy="8" r="4" />
      <path d="M4.5 20.5c.8-3.6 3.8-5.5 7.5-5.5s6.7 1.9 7.5 5.5" />
    </>
  ),
  // Three sliders.
  '/settings': (
    <>
      <path d="M4 6.5h9M17 6.5h3M4 12h3M11 12h9M4 17.5h11M19 17.5h1" />
      <circle cx="15" cy="6.5" r="2" />
      <circle cx="9" cy="12" r="2" />
      <circle cx="17" cy="17.5" r="2" />
    </>
  ),
}

/** The icon above a main destination's label in the phone's bottom bar (decorative: the label names it). */
export function NavIcon({ to, className }: { to: NavItem['to']; className?: string }) {
  return (
    <svg
      aria-hidden="true"
      viewBox="0 0 24 24"
      className={`fill-none stroke-current ${className ?? ''}`}
      strokeWidth={1.75}
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      {shapes[to]}
    </svg>
  )
}
