/**
 * The wallet: create, restore, unlock, lock, change passphrase, remove; the account screen.
 * Other features use the hooks and the keyring from here; screens are lazy-loaded by the app.
 */
import { lazy } from 'react'

export { keyring, lockWallet } from './keyring.ts'
export { useAutoLock, useAutoLockMinutes, useSessionScope, useWalletKeys, useWalletPresence } from './hooks.ts'
export { sessionScope } from './session.ts'
export { wipeCachesOnLock } from './wipeOnLock.ts'
export { WelcomeScreen } from './WelcomeScreen.tsx'
export { UnlockScreen } from './UnlockScreen.tsx'

export const CreateWalletScreen = lazy(() => import('./CreateWalletScreen.tsx').then((m) => ({ default: m.CreateWalletScreen })))
export const RestoreWalletScreen = lazy(() => import('./RestoreWalletScreen.tsx').then((m) => ({ default: m.RestoreWalletScreen })))
export const RemoveWalletScreen = lazy(() => import('./RemoveWalletScreen.tsx').then((m) => ({ default: m.RemoveWalletScreen })))
export const AccountScreen = lazy(() => import('./AccountScreen.tsx').then((m) => ({ default: m.AccountScreen })))
export const SettingsScreen = lazy(() => import('./SettingsScreen.tsx').then((m) => ({ default: m.SettingsScreen })))
