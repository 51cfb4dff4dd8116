import { useSyncExternalStore } from 'react'
import { SHLINK_PREFIX } from '../../domain/shl/link.ts'

/**
 * The link the viewer shows, held in this tab's memory only. A SMART Health Link carries the
 * files' key (and for a "whoever holds this QR" consent, the bearer secret): it must not stay
 * in the address bar, the session history, sessionStorage or anything else that outlives the
 * page, or anyone with the clinician's browser could reopen the records. The viewer's route
 * moves a link out of the address into here before anything is fetched (`takeSharedLink`),
 * and the scanner puts what it reads straight here. A reload forgets it.
 */
export type HeldSharedLink = {
  /** The link's text as scanned or found in the fragment, from `shlink:/` on. */
  readonly text: string
  /** A new number for each link held, so that a new link is a new screen. */
  readonly id: number
}

let held: HeldSharedLink | undefined
let lastId = 0
const listeners = new Set<() => void>()

/**
 * Holds a link for the viewer, in place of any other.
 *
 * @example
 * holdSharedLink(shlinkFragment(scanned))
 * void navigate({ to: '/view' })
 */
export function holdSharedLink(text: string): void {
  held = { text, id: ++lastId }
  for (const listener of listeners) listener()
}

/** The link held for the viewer, if any. */
export function heldSharedLink(): HeldSharedLink | undefined {
  return held
}

/** Lets go of the held link (tests start from none). */
export function forgetSharedLink(): void {
  held = undefined
  for (const listener of listeners) listener()
}

/**
 * Takes a SMART Health Link out of an address's fragment (`#shlink:/…`, with or without the
 * '#'): holds it and returns true, so that the caller replaces the address; false when the
 * fragment holds no link. The link's text is held as it is (the viewer says when it is
 * malformed).
 *
 * @example
 * if (takeSharedLink(location.hash)) throw redirect({ to: '/view', replace: true })
 */
export function takeSharedLink(fragment: string): boolean {
  const text = fragment.replace(/^#/, '')
  if (text.slice(0, SHLINK_PREFIX.length).toLowerCase() !== SHLINK_PREFIX) return false
  holdSharedLink(text)
  return true
}

/**
 * The held link; re-renders when another one is held.
 *
 * @example
 * const link = useHeldSharedLink() // undefined after a reload
 */
export function useHeldSharedLink(): HeldSharedLink | undefined {
  return useSyncExternalStore(subscribe, heldSharedLink, heldSharedLink)
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}
