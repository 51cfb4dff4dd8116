/**
 * The SQL of wallets' online backups (table `backup_versions`, migration 3), used by
 * SqlShareStore. A version's bytes are the wallet's encrypted backup file: the host reads
 * none of it.
 */
import type { Hex } from 'viem'
import { NO_PREVIOUS_BACKUP } from '../../../../src/domain/backup/hostBackup.ts'
import type { BackupPutResult, BackupUpload, StoredBackupVersion } from '../shareStore.ts'
import type { SqlDatabase, SqlQueryable } from './database.ts'

type VersionRow = { version: number; created_at: number; size: number; sha256: string }

const VERSION_COLUMNS = 'version, created_at, size, sha256'

/** A backup's versions, newest first. */
export async function listBackupVersions(db: SqlQueryable, backupId: string): Promise<StoredBackupVersion[]> {
  const rows = await db.query<VersionRow>(`SELECT ${VERSION_COLUMNS} FROM backup_versions WHERE backup_id = $1 ORDER BY version DESC`, [backupId])
  return rows.map(versionFromRow)
}

/** One version and its bytes; undefined when it is not stored. */
export async function readBackupVersion(
  db: SqlQueryable,
  backupId: string,
  version: number,
): Promise<{ version: StoredBackupVersion; bytes: Uint8Array<ArrayBuffer> } | undefined> {
  // As hex text, for the reason given in putBackupVersion (PGlite reads bytea ten times slower).
  const [row] = await db.query<VersionRow & { hex: string }>(
    `SELECT ${VERSION_COLUMNS}, encode(bytes, 'hex') AS hex FROM backup_versions WHERE backup_id = $1 AND version = $2`,
    [backupId, version],
  )
  return row && { version: versionFromRow(row), bytes: new Uint8Array(Buffer.from(row.hex, 'hex')) }
}

/**
 * The compare-and-swap of an upload, in one transaction. Uploads of one backup take turns
 * (a transaction-scoped advisory lock, the same on every host), so the second of two uploads
 * with the same `previous` sees the first one's version and is refused; the primary key
 * (backup_id, version) would refuse a second version n+1 even without the lock.
 */
export function putBackupVersion(
  db: SqlDatabase,
  backupId: string,
  upload: BackupUpload,
  options: { previous: Hex; now: number; keep: number },
): Promise<BackupPutResult> {
  if (!Number.isInteger(options.keep) || options.keep < 1) throw new RangeError('a backup keeps at least one version')
  return db.transaction(async (tx): Promise<BackupPutResult> => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`backup:${backupId}`])
    const [newest] = await tx.query<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM backup_versions WHERE backup_id = $1 ORDER BY version DESC LIMIT 1`,
      [backupId],
    )
    if (options.previous.toLowerCase() !== (newest?.sha256 ?? NO_PREVIOUS_BACKUP)) {
      return { kind: 'conflict', ...(newest && { latest: versionFromRow(newest) }) }
    }
    const stored: StoredBackupVersion = {
      version: (newest?.version ?? 0) + 1,
      createdAt: options.now,
      size: upload.bytes.byteLength,
      sha256: upload.sha256.toLowerCase() as Hex,
    }
    // The bytes go as hex text, decoded by the database: PGlite turns a bytea parameter into text
    // byte by byte (about 4 MB/s: 12 s for a 44 MB backup of 10,000 records), hex text it takes
    // whole (1.5 s). node-postgres sends a Buffer as this same hex text anyway.
    await tx.query(
      "INSERT INTO backup_versions (backup_id, version, created_at, size, sha256, bytes) VALUES ($1, $2, $3, $4, $5, decode($6, 'hex'))",
      [backupId, stored.version, stored.createdAt, stored.size, stored.sha256, Buffer.from(upload.bytes.buffer, upload.bytes.byteOffset, upload.bytes.byteLength).toString('hex')],
    )
    await tx.query('DELETE FROM backup_versions WHERE backup_id = $1 AND version <= $2', [backupId, stored.version - options.keep])
    return { kind: 'stored', version: stored }
  })
}

/** Deletes every version of a backup; how many there were. */
export async function deleteBackup(db: SqlQueryable, backupId: string): Promise<number> {
  const [row] = await db.query<{ deleted: number }>(
    'WITH gone AS (DELETE FROM backup_versions WHERE backup_id = $1 RETURNING 1) SELECT count(*)::int AS deleted FROM gone',
    [backupId],
  )
  return row?.deleted ?? 0
}

function versionFromRow(row: VersionRow): StoredBackupVersion {
  return { version: row.version, createdAt: row.created_at, size: row.size, sha256: row.sha256 as Hex }
}
