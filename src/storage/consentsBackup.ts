import type { SealedRow } from '../domain/records/backup.ts'
import { openCareKeyDb } from './db.ts'
import { storageCall } from './errors.ts'
import { noteLocalChange } from './localChanges.ts'
import { consentRowSchema, shareRowSchema } from './rows.ts'

/**
 * Consents and shares in the encrypted backup file: their rows travel as they are at rest
 * (sealed under the wallet's consents key), so the same recovery phrase opens them on any
 * device, and restoring brings back the terms, bearer secrets and share keys the chain never saw.
 */
export const CONSENT_BACKUP_STORES = ['consents', 'shares'] as const

/**
 * Every consent and share row, sealed, for a backup; rows that are not well-formed are left out.
 *
 * @example
 * await sealBackup({ createdAt, records, attachments, sealedRows: await readConsentRowsForBackup() }, backupKey)
 */
export async function readConsentRowsForBackup(): Promise<Record<(typeof CONSENT_BACKUP_STORES)[number], SealedRow[]>> {
  const db = await openCareKeyDb()
  return storageCall(async () => {
    const tx = db.transaction([...CONSENT_BACKUP_STORES])
    const [consents, shares] = await Promise.all([tx.objectStore('consents').getAll(), tx.objectStore('shares').getAll(), tx.done])
    const rows = (raw: unknown[], schema: typeof consentRowSchema) =>
      raw.flatMap((value): SealedRow[] => {
        const row = schema.safeParse(value)
        return row.success ? [{ format: row.data.format, id: row.data.id, sealed: row.data.sealed, createdAt: row.data.createdAt, updatedAt: row.data.updatedAt }] : []
      })
    return { consents: rows(consents, consentRowSchema), shares: rows(shares, shareRowSchema) }
  })
}

/**
 * Puts back the consent and share rows of a backup that this device does not have (by id),
 * in one transaction; rows already here are kept as they are (they may be newer). Returns how
 * many consents came back.
 *
 * @example
 * const restored = await restoreConsentRowsFromBackup(backup.sealedRows ?? {})
 */
export async function restoreConsentRowsFromBackup(sealedRows: Readonly<Record<string, readonly SealedRow[]>>): Promise<number> {
  // The backup was authenticated as a whole; a row that is still not well-formed is left out.
  const consents = (sealedRows.consents ?? []).flatMap((r) => {
    const row = consentRowSchema.safeParse(r)
    return row.success ? [row.data] : []
  })
  const shares = (sealedRows.shares ?? []).flatMap((r) => {
    const row = shareRowSchema.safeParse(r)
    return row.success ? [row.data] : []
  })
  if (consents.length === 0 && shares.length === 0) return 0
  const db = await openCareKeyDb()
  const restored = await storageCall(async () => {
    const tx = db.transaction([...CONSENT_BACKUP_STORES], 'readwrite')
    const consentStore = tx.objectStore('consents')
    const shareStore = tx.objectStore('shares')
    const [haveConsents, haveShares] = await Promise.all([consentStore.getAllKeys(), shareStore.getAllKeys()])
    const newConsents = consents.filter((r) => !haveConsents.includes(r.id))
    const newShares = shares.filter((r) => !haveShares.includes(r.id))
    await Promise.all([...newConsents.map((r) => consentStore.put(r)), ...newShares.map((r) => shareStore.put(r)), tx.done])
    return { consents: newConsents.length, rows: newConsents.length + newShares.length }
  })
  if (restored.rows > 0) await noteLocalChange()
  return restored.consents
}
