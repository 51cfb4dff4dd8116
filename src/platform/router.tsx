import { useEffect, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react'

/**
 * A minimal History API router. CareKey has a handful of top-level screens and the URL
 * fragment is reserved for SMART Health Links (`/view#shlink:/…`), so routes are paths.
 */
const listeners = new Set<() => void>()

function subscribe(listener: () => void) {
  listeners.add(listener)
  window.addEventListener('popstate', listener)
  return () => {
    listeners.delete(listener)
    window.removeEventListener('popstate', listener)
  }
}

function notify() {
  for (const listener of listeners) listener()
}

/** The current path (without query or fragment). */
export function usePathname(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname, () => '/')
}

/** The current fragment, including the leading '#', or ''. */
export function useHash(): string {
  return useSyncExternalStore(
    (l) => {
      const off = subscribe(l)
      window.addEventListener('hashchange', l)
      return () => {
        off()
        window.removeEventListener('hashchange', l)
      }
    },
    () => window.location.hash,
    () => '',
  )
}

/** Goes to an in-app path; `replace` keeps the history entry count the same. */
export function navigate(to: string, options: { replace?: boolean } = {}) {
  if (options.replace) window.history.replaceState(null, '', to)
  else window.history.pushState(null, '', to)
  notify()
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string }

/** An in-app link: a real anchor (so it works with the keyboard, middle-click and screen readers). */
export function Link({ to, onClick, ...rest }: LinkProps) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event)
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
    event.preventDefault()
    navigate(to)
  }
  return <a href={to} onClick={handle} {...rest} />
}

/** A route table: exact paths ('/account') or prefixes ending in '/*' ('/records/*'). */
export type RouteTable<C> = Record<string, C>

/**
 * Finds the entry for a path. An exact match wins; else the longest '/*' prefix, whose
 * remainder is returned as `rest` ('/records/abc' with '/records/*' gives rest 'abc').
 */
export function matchRoute<C>(pathname: string, table: RouteTable<C>): { route: C; rest: string } | undefined {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname
  const exact = table[path]
  if (exact !== undefined) return { route: exact, rest: '' }
  let best: { route: C; rest: string; length: number } | undefined
  for (const [pattern, route] of Object.entries(table)) {
    if (!pattern.endsWith('/*')) continue
    const prefix = pattern.slice(0, -2)
    if ((path === prefix || path.startsWith(`${prefix}/`)) && (!best || prefix.length > best.length)) {
      best = { route, rest: decodeURIComponent(path.slice(prefix.length + 1)), length: prefix.length }
    }
  }
  return best && { route: best.route, rest: best.rest }
}

/** Replaces the current entry with another path once rendered. */
export function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to])
  return null
}
