import { readSetting, writeSetting } from '../../storage/settingsRepository.ts'

/** Choices offered for the inactivity lock, in minutes. */
export const AUTO_LOCK_CHOICES = [1, 5, 15, 30, 60] as const
export type AutoLockMinutes = (typeof AUTO_LOCK_CHOICES)[number]
export const DEFAULT_AUTO_LOCK_MINUTES: AutoLockMinutes = 5

function parseAutoLock(stored: unknown): AutoLockMinutes {
  return AUTO_LOCK_CHOICES.find((m) => m === stored) ?? DEFAULT_AUTO_LOCK_MINUTES
}

export const readAutoLockMinutes = () => readSetting('autoLockMinutes', parseAutoLock)
export const writeAutoLockMinutes = (minutes: AutoLockMinutes) => writeSetting('autoLockMinutes', minutes)
