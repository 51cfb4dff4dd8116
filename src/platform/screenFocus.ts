import type { AnyRouter } from '@tanstack/react-router'

/** The heading every screen opens with (`Page`'s h1, focusable with tabIndex -1), in the main region. */
export const SCREEN_HEADING_SELECTOR = 'main h1'

/**
 * Moves focus to the new screen's heading, so that keyboard and screen reader users land at the
 * top of what changed (the screen reader reads the heading) and Tab goes on from there:
 * - after every navigation to another path, once its screen is shown (a screen that loads
 *   lazily takes focus when its heading appears);
 * - when a screen replaces another (or changes its title) without a navigation and took the
 *   focused control with it (Unlock, Lock, a step of creating a wallet, a form that gives way
 *   to its result), rather than leaving focus on nothing; and likewise when the focused control
 *   goes and the screen stays (Load sample data, a revoke's confirmation).
 * It never moves focus before the person has pressed a key or a pointer on the page, so the
 * first screen of a page load (and the redirects it makes) leaves focus where the browser put
 * it, and it never moves focus away from a control that is still there otherwise. Focus moves
 * without scrolling: the router restores or resets the scroll position itself. Screens with
 * steps (the grant form) move focus to a step's heading themselves; that is not a new screen.
 *
 * Returns a function that stops following.
 *
 * @example
 * useEffect(() => followScreenHeadings(router), [router])
 */
export function followScreenHeadings(router: Pick<AnyRouter, 'subscribe'>, doc: Document = document): () => void {
  let interacted = false
  let navigated = false
  let heading = shownHeading(doc)
  let headingText = heading?.textContent
  let lastFocused: Element | null = null

  const focusLost = () => (doc.activeElement === null || doc.activeElement === doc.body) && lastFocused !== null && !lastFocused.isConnected
  const arrive = (current: HTMLElement) => {
    if (!interacted) {
      navigated = false
      return
    }
    if (!(navigated || focusLost())) return
    current.focus({ preventScroll: true })
    if (doc.activeElement === current) navigated = false
  }

  const observer = new MutationObserver(() => {
    const current = shownHeading(doc)
    // A screen that changes its title in place (a step of creating a wallet) is a new screen too.
    const changed = current !== heading || current?.textContent !== headingText
    heading = current
    headingText = current?.textContent
    if (!current) return
    if (changed) arrive(current)
    // The focused control went, the screen stayed (a button that did its job): not focus on nothing.
    else if (interacted && focusLost()) current.focus({ preventScroll: true })
  })
  observer.observe(doc.body, { childList: true, subtree: true, characterData: true })

  const onInteraction = () => {
    interacted = true
  }
  const onFocusIn = (event: FocusEvent) => {
    if (event.target instanceof Element) lastFocused = event.target
  }
  doc.addEventListener('keydown', onInteraction, true)
  doc.addEventListener('pointerdown', onInteraction, true)
  doc.addEventListener('focusin', onFocusIn)

  const unsubscribes = [
    router.subscribe('onBeforeNavigate', ({ fromLocation, pathChanged }) => {
      if (fromLocation && pathChanged) navigated = true
    }),
    // The screen of a path that kept its heading (the unlock screen stays whatever the address):
    // the heading is there and unchanged once the navigation has rendered.
    router.subscribe('onRendered', () => {
      const current = shownHeading(doc)
      if (navigated && current) arrive(current)
    }),
  ]

  return () => {
    observer.disconnect()
    doc.removeEventListener('keydown', onInteraction, true)
    doc.removeEventListener('pointerdown', onInteraction, true)
    doc.removeEventListener('focusin', onFocusIn)
    for (const unsubscribe of unsubscribes) unsubscribe()
  }
}

/**
 * The screen's heading on show: while the next screen loads, React keeps the one before in the
 * page, hidden, and its heading must not take focus (a screen reader would read the old title).
 */
function shownHeading(doc: Document): HTMLElement | undefined {
  for (const heading of doc.querySelectorAll<HTMLElement>(SCREEN_HEADING_SELECTOR)) {
    if (isShown(heading)) return heading
  }
  return undefined
}

function isShown(element: HTMLElement): boolean {
  if (typeof element.checkVisibility === 'function') return element.checkVisibility()
  for (let node: Element | null = element; node; node = node.parentElement) {
    if (getComputedStyle(node).display === 'none') return false
  }
  return true
}
