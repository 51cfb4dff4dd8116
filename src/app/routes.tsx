import { lazy, type ComponentType } from 'react'
import { ScanScreen, ViewScreen } from '../features/clinician/index.ts'
import { RecordsScreen } from '../features/records/index.ts'
import { ShareScreens } from '../features/share/index.ts'
import { AccountScreen, RemoveWalletScreen, SettingsScreen } from '../features/wallet/index.ts'
import type { NavItem } from './Layout.tsx'
import type { RouteTable } from '../platform/router.tsx'

// The consent door also carries the hooks and parts the share screens build on (wagmi, storage):
// it loads with its screens, not with the first screen.
const ConsentScreens = lazy(() =>
  import('../features/consent/index.ts')
    .then((door) => door.loadConsentScreens())
    .then((screens) => ({ default: screens })),
)

/** A screen receives what followed a '/*' route's prefix, if anything. */
export type ScreenProps = { rest: string }
export type Screen = ComponentType<ScreenProps>

/** Where '/' leads once the wallet is unlocked. */
export const HOME_PATH = '/records'

/** Screens of the unlocked wallet. */
export const unlockedRoutes: RouteTable<Screen> = {
  '/records': RecordsScreen,
  '/records/*': RecordsScreen,
  '/consent': ConsentScreens,
  '/consent/*': ConsentScreens,
  '/share': ShareScreens,
  '/share/*': ShareScreens,
  '/account': AccountScreen,
  '/settings': SettingsScreen,
  '/remove': RemoveWalletScreen,
}

/** The main navigation of the unlocked wallet, in order. */
export const unlockedNav: NavItem[] = [
  { to: '/records', label: 'Records' },
  { to: '/consent', label: 'Consents' },
  { to: '/share', label: 'My QR' },
  { to: '/account', label: 'Account' },
  { to: '/settings', label: 'Settings' },
]

/** Screens anyone can open, with or without a wallet: the clinician's scanner and viewer. */
export const publicRoutes: RouteTable<Screen> = {
  '/scan': ScanScreen,
  '/view': ViewScreen,
}
