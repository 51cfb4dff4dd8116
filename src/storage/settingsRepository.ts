import { openCareKeyDb } from './db.ts'
import { storageCall } from './errors.ts'

/** Reads one non-secret setting; `parse` validates what was stored and supplies the default. */
export async function readSetting<T>(name: string, parse: (stored: unknown) => T): Promise<T> {
  const db = await openCareKeyDb()
  return parse(await storageCall(() => db.get('settings', name)))
}

export async function writeSetting(name: string, value: unknown): Promise<void> {
  const db = await openCareKeyDb()
  await storageCall(() => db.put('settings', value, name))
}

/**
 * Reads, changes and writes back one setting in a single transaction, so that two changes made
 * at the same time (two tabs, a background task and a screen) never undo each other. `parse`
 * validates what was stored; `change` must not await anything. Returns the value written.
 *
 * @example
 * await updateSetting('onlineBackup', parseBackupSettings, (s) => ({ ...s, enabled: false }))
 */
export async function updateSetting<T>(name: string, parse: (stored: unknown) => T, change: (current: T) => T): Promise<T> {
  const db = await openCareKeyDb()
  return storageCall(async () => {
    const tx = db.transaction('settings', 'readwrite')
    const settings = tx.objectStore('settings')
    const next = change(parse(await settings.get(name)))
    await Promise.all([settings.put(next, name), tx.done])
    return next
  })
}
