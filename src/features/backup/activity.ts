import type { AutoBackupActivity } from './autoBackup.ts'

/*
 * What the running automatic backup is doing, for the screens (useSyncExternalStore): a light
 * store that the scheduler of the unlocked wallet (walletBackup.ts) writes, so that the screens
 * can read it without loading the scheduler.
 */

let current: AutoBackupActivity = 'idle'
const listeners = new Set<() => void>()

export const autoBackupActivity = (): AutoBackupActivity => current

export function setAutoBackupActivity(next: AutoBackupActivity): void {
  if (next === current) return
  current = next
  for (const listener of listeners) listener()
}

export function subscribeAutoBackupActivity(listener: () => void): () => void {
  listeners.add(listener)
  return () => void listeners.delete(listener)
}
