import type { ReactNode } from 'react'
import { InstallButton, PwaBanners } from './pwa/index.ts'
import { Link } from '../platform/router.tsx'
import type { NavItem } from './nav.ts'
import { NavIcon } from './NavIcon.tsx'

export type { NavItem } from './nav.ts'

/**
 * The frame of every screen: skip link, header with the app name, main navigation, content.
 *
 * The main navigation is one landmark ("Main") at every width. Below the `sm` breakpoint
 * (640 px) it is a bar fixed to the bottom of the screen, every destination visible with an
 * icon and a short label, above the home indicator (safe-area inset); the content keeps room
 * for it: `--bottom-nav` holds the bar's height (0 on wider screens and without navigation),
 * for anything else pinned to the bottom. From `sm` up it is a row of tabs under the header.
 */
export function Layout({ nav, headerAction, children }: { nav?: NavItem[]; headerAction?: ReactNode; children: ReactNode }) {
  const hasNav = nav !== undefined && nav.length > 0
  return (
    <div
      className={`flex min-h-dvh flex-col pt-[env(safe-area-inset-top)] pr-[env(safe-area-inset-right)] pb-[calc(var(--bottom-nav)+env(safe-area-inset-bottom))] pl-[env(safe-area-inset-left)] ${
        hasNav ? '[--bottom-nav:calc(4rem+1px)] sm:[--bottom-nav:0px]' : '[--bottom-nav:0px]'
      }`}
    >
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-50 focus:rounded-lg focus:bg-white focus:p-3 focus:text-slate-900"
      >
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <div className="mx-auto flex max-w-2xl items-center justify-between gap-3 px-4 py-2">
          <Link to="/" className="inline-flex min-h-11 items-center gap-2 text-lg font-bold text-teal-800 dark:text-teal-300">
            <svg aria-hidden="true" viewBox="0 0 24 24" className="size-6 fill-current">
              <path d="M12 2a5 5 0 0 0-5 5v3H6a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-8a2 2 0 0 0-2-2h-1V7a5 5 0 0 0-5-5Zm-3 8V7a3 3 0 1 1 6 0v3H9Zm2 4h2v2h2v2h-2v2h-2v-2H9v-2h2v-2Z" />
            </svg>
            CareKey
          </Link>
          <div className="flex items-center gap-2">
            <InstallButton />
            {headerAction}
          </div>
        </div>
        {hasNav && (
          <nav
            aria-label="Main"
            className="fixed inset-x-0 bottom-0 z-20 border-t border-slate-200 bg-white pr-[env(safe-area-inset-right)] pb-[env(safe-area-inset-bottom)] pl-[env(safe-area-inset-left)] sm:static sm:border-t-0 sm:bg-transparent sm:p-0 dark:border-slate-800 dark:bg-slate-900 sm:dark:bg-transparent"
          >
            <ul className="mx-auto flex max-w-2xl sm:gap-1 sm:px-2">
              {nav.map((item) => (
                <li key={item.to} className="min-w-0 flex-1 sm:flex-none">
                  {/* The router marks the section of the current page (aria-current) on every page below it too. */}
                  <Link
                    to={item.to}
                    activeOptions={{ exact: false, includeSearch: false }}
                    className="flex min-h-16 flex-col items-center justify-center gap-0.5 border-t-3 px-1 text-center text-xs leading-tight font-medium sm:min-h-11 sm:flex-row sm:border-t-0 sm:border-b-3 sm:px-3 sm:text-base sm:whitespace-nowrap"
                    activeProps={{ className: 'border-teal-700 font-semibold text-teal-900 dark:border-teal-400 dark:text-teal-200' }}
                    inactiveProps={{ className: 'border-transparent text-slate-700 hover:text-slate-950 dark:text-slate-300 dark:hover:text-white' }}
                  >
                    <NavIcon to={item.to} className="size-6 shrink-0 sm:hidden" />
                    {item.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        )}
      </header>
      <main id="main" className="flex-1">
        <PwaBanners />
        {children}
      </main>
    </div>
  )
}
