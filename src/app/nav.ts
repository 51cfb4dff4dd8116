/** A destination of the main navigation: where it leads and its short label. */
export type NavItem = { to: '/records' | '/consent' | '/share' | '/account' | '/settings'; label: string }

/** Where '/' (and create or restore) leads once the wallet is unlocked. */
export const HOME_PATH = '/records'

/** The main navigation of the unlocked wallet, in order. */
export const unlockedNav: NavItem[] = [
  { to: '/records', label: 'Records' },
  { to: '/consent', label: 'Consents' },
  { to: '/share', label: 'My QR' },
  { to: '/account', label: 'Account' },
  { to: '/settings', label: 'Settings' },
]
