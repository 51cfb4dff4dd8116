import { deriveAppKey } from '../wallet/keys.ts'

/** HKDF labels of the records' keys. Changing one makes every stored record unreadable. */
export const RECORDS_KEY_LABEL = 'records-key-wrapping/v1'
export const BACKUP_KEY_LABEL = 'records-backup-key-wrapping/v1'
export const MANIFEST_KEY_LABEL = 'records-manifest/v1'

/**
 * The wallet's keys for records, derived from its root key material (so the recovery phrase
 * restores them):
 * - `records` (AES-KW) wraps the data key of every record and attachment stored on the device;
 * - `backup` (AES-KW) wraps the data key of each backup file. It differs from `records` so that
 *   a backup file and the device's store never share a wrapping key;
 * - `manifest` (AES-GCM) seals the records manifest, the list of every record's version that
 *   tells an older copy of a record from the newest (manifest.ts).
 */
export type RecordsKeys = { records: CryptoKey; backup: CryptoKey; manifest: CryptoKey }

/**
 * @example
 * const { records, backup, manifest } = await deriveRecordsKeys(keys.root)
 */
export async function deriveRecordsKeys(root: CryptoKey): Promise<RecordsKeys> {
  const [records, backup, manifest] = await Promise.all([
    deriveAppKey(root, RECORDS_KEY_LABEL, ['wrapKey', 'unwrapKey'], 'AES-KW'),
    deriveAppKey(root, BACKUP_KEY_LABEL, ['wrapKey', 'unwrapKey'], 'AES-KW'),
    deriveAppKey(root, MANIFEST_KEY_LABEL, ['encrypt', 'decrypt'], 'AES-GCM'),
  ])
  return { records, backup, manifest }
}
