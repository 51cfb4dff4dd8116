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
