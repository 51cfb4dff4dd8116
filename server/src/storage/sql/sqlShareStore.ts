import { randomBytes } from 'node:crypto'
import { getAddress, type Address, type Hex } from 'viem'
import {
  checkQuota,
  type AccessLogPage,
  type BackupPutResult,
  type BackupUpload,
  type FileUpload,
  type QuotaRefusal,
  type ShareQuota,
  type ShareStore,
  type ShareUsage,
  type StoredAccess,
  type StoredBackupVersion,
  type StoredFile,
  type StoredPasscode,
  type StoredShare,
} from '../shareStore.ts'
import type { SqlDatabase, SqlQueryable } from './database.ts'
import { migrate } from './migrations.ts'
import * as backups from './sqlBackupVersions.ts'

export type SqlShareStoreOptions = {
  quota: ShareQuota
  /** Entries kept per share's access log; older ones are dropped and counted. */
  accessLogCap: number
}

/** A share's log is trimmed after about one append in this many. */
const TRIM_EVERY = 16

/** Expired nonces are deleted at most this often (per host). */
const NONCE_SWEEP_INTERVAL_MS = 60_000

type ShareRow = {
  id: string
  patient: string
  commitment: string
  status: StoredShare['status']
  created_at: number
  updated_at: number
  expires_at: number | null
  valid_from: number | null
  valid_until: number | null
  passcode: Omit<StoredPasscode, 'allowed' | 'failures'> | null
  passcode_allowed: number | null
  passcode_failures: number
  files: { id: string; content_type: StoredFile['contentType']; length: number; last_updated: number }[]
}

const SELECT_SHARE = `
  SELECT s.id, s.patient, s.commitment, s.status, s.created_at, s.updated_at, s.expires_at,
         s.valid_from, s.valid_until, s.passcode, s.passcode_allowed, s.passcode_failures,
         coalesce(
           (SELECT json_agg(json_build_object('id', f.id, 'content_type', f.content_type, 'length', f.length, 'last_updated', f.last_updated) ORDER BY f.position)
              FROM share_files f WHERE f.share_id = s.id),
           '[]'::json) AS files
    FROM shares s`

/**
 * The share store on SQL: PostgreSQL for several hosts, PGlite in-process for one. Each
 * method is one statement or one transaction; counts that several hosts change at once (wrong
 * passcodes, quotas, the log's length) are changed in the database, never read, changed here
 * and written back.
 */
export class SqlShareStore implements ShareStore {
  private lastNonceSweep = 0
  private migrated: Promise<void> | undefined
  private readonly secrets = new Map<string, Promise<Uint8Array>>()

  constructor(
    private readonly db: SqlDatabase,
    private readonly options: SqlShareStoreOptions,
  ) {}

  init(): Promise<void> {
    // Once per store; after a failure (the database down) the next call tries again.
    this.migrated ??= migrate(this.db).then(
      () => undefined,
      (error: unknown) => {
        this.migrated = undefined
        throw error
      },
    )
    return this.migrated
  }

  close(): Promise<void> {
    return this.db.close()
  }

  async readShare(id: string): Promise<StoredShare | undefined> {
    const [row] = await this.db.query<ShareRow>(`${SELECT_SHARE} WHERE s.id = $1`, [id])
    return row && shareFromRow(row)
  }

  createShare(share: StoredShare, files: readonly FileUpload[], now: number, grant?: string): Promise<{ kind: 'created' } | { kind: 'exists' } | QuotaRefusal> {
    return this.db.transaction(async (tx) => {
      await lockQuotaOf(tx, share.patient, share.commitment)
      const refusal = checkQuota(this.options.quota, await usageOf(tx, share.patient, share.commitment, now), {
        shares: 1,
        bytes: totalBytes(files),
      })
      if (refusal) return refusal
      const inserted = await tx.query(
        `INSERT INTO shares (id, patient, commitment, status, created_at, updated_at, expires_at, valid_from, valid_until,
                             passcode, passcode_allowed, passcode_failures, total_bytes, grant_jwe)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [
          share.id,
          share.patient.toLowerCase(),
          share.commitment.toLowerCase(),
          share.status,
          share.createdAt,
          share.updatedAt,
          share.expiresAt ?? null,
          share.grantPeriod?.validFrom ?? null,
          share.grantPeriod?.validUntil ?? null,
          share.passcode ? JSON.stringify(passcodeHash(share.passcode)) : null,
          share.passcode?.allowed ?? null,
          share.passcode?.failures ?? 0,
          totalBytes(files),
          grant ?? null,
        ],
      )
      if (inserted.length === 0) return { kind: 'exists' }
      await insertFiles(tx, share.id, files)
      return { kind: 'created' }
    })
  }

  async readGrant(shareId: string): Promise<string | undefined> {
    const [row] = await this.db.query<{ grant_jwe: string | null }>('SELECT grant_jwe FROM shares WHERE id = $1', [shareId])
    return row?.grant_jwe ?? undefined
  }

  async replaceFiles(
    id: string,
    files: readonly FileUpload[],
    now: number,
  ): Promise<{ kind: 'replaced'; share: StoredShare } | { kind: 'inactive' } | QuotaRefusal> {
    const before = await this.readShare(id)
    if (before?.status !== 'active') return { kind: 'inactive' }
    return this.db.transaction(async (tx) => {
      // The same order of locks as createShare: the quota's, then the share's row.
      await lockQuotaOf(tx, before.patient, before.commitment)
      const [current] = await tx.query<{ status: string }>('SELECT status FROM shares WHERE id = $1 FOR UPDATE', [id])
      if (current?.status !== 'active') return { kind: 'inactive' }
      const usage = await usageOf(tx, before.patient, before.commitment, now, id)
      const refusal = checkQuota(this.options.quota, usage, { shares: 1, bytes: totalBytes(files) })
      if (refusal) return refusal
      await tx.query('DELETE FROM share_files WHERE share_id = $1', [id])
      await insertFiles(tx, id, files)
      await tx.query('UPDATE shares SET updated_at = $2, total_bytes = $3 WHERE id = $1', [id, now, totalBytes(files)])
      const [row] = await tx.query<ShareRow>(`${SELECT_SHARE} WHERE s.id = $1`, [id])
      if (!row) throw new Error('the share vanished inside its own transaction')
      return { kind: 'replaced', share: shareFromRow(row) }
    })
  }

  deactivateShare(id: string, now: number): Promise<StoredShare | undefined> {
    return this.db.transaction(async (tx) => {
      const updated = await tx.query(
        `UPDATE shares SET status = CASE WHEN status = 'active' THEN 'deactivated' ELSE status END,
                           updated_at = $2, total_bytes = 0
          WHERE id = $1 RETURNING id`,
        [id, now],
      )
      if (updated.length === 0) return undefined
      await tx.query('DELETE FROM share_files WHERE share_id = $1', [id])
      const [row] = await tx.query<ShareRow>(`${SELECT_SHARE} WHERE s.id = $1`, [id])
      return row && shareFromRow(row)
    })
  }

  async recordWrongPasscode(id: string, entry: StoredAccess): Promise<{ remainingAttempts: number } | undefined> {
    // One statement: the count, the lock and the log entry change together or not at all, and
    // a guess on another host waits for this row and then sees the new count.
    const [row] = await this.db.query<{ remaining: number; entry: number | null }>(
      `WITH counted AS (
         UPDATE shares
            SET passcode_failures = passcode_failures + 1,
                status = CASE WHEN passcode_failures + 1 >= passcode_allowed THEN 'locked' ELSE status END,
                updated_at = $2
          WHERE id = $1 AND status = 'active' AND passcode_allowed IS NOT NULL AND passcode_failures < passcode_allowed
          RETURNING passcode_allowed - passcode_failures AS remaining
       ), logged AS (
         INSERT INTO access_log (share_id, at, recipient, outcome) SELECT $1, $2, $3, 'wrong-passcode' FROM counted RETURNING id
       )
       SELECT remaining, (SELECT id FROM logged) AS entry FROM counted`,
      [id, entry.at, entry.recipient],
    )
    if (!row) return undefined
    if (row.entry !== null) await this.trimLogNow(id, row.entry)
    return { remainingAttempts: row.remaining }
  }

  async readFile(shareId: string, fileId: string): Promise<string | undefined> {
    const [row] = await this.db.query<{ jwe: string }>('SELECT jwe FROM share_files WHERE share_id = $1 AND id = $2', [shareId, fileId])
    return row?.jwe
  }

  async appendAccess(shareId: string, entry: StoredAccess): Promise<void> {
    // Only an insert: parallel opens of one share on any host never wait for each other.
    const [row] = await this.db.query<{ id: number }>(
      'INSERT INTO access_log (share_id, at, recipient, outcome, verified_address) VALUES ($1, $2, $3, $4, $5) RETURNING id',
      [shareId, entry.at, entry.recipient, entry.outcome, entry.verifiedAddress?.toLowerCase() ?? null],
    )
    if (row) await this.trimLogNow(shareId, row.id)
  }

  async readAccessLog(shareId: string): Promise<AccessLogPage> {
    return this.db.transaction(async (tx) => {
      const [share] = await tx.query<{ access_dropped: number; entries: number }>(
        'SELECT access_dropped, (SELECT count(*) FROM access_log WHERE share_id = $1) AS entries FROM shares WHERE id = $1',
        [shareId],
      )
      if (!share) return { entries: [], dropped: 0 }
      const rows = await tx.query<{ at: number; recipient: string; outcome: StoredAccess['outcome']; verified_address: string | null }>(
        'SELECT at, recipient, outcome, verified_address FROM access_log WHERE share_id = $1 ORDER BY id DESC LIMIT $2',
        [shareId, this.options.accessLogCap],
      )
      const entries = rows.reverse().map(
        (r): StoredAccess => ({
          at: r.at,
          recipient: r.recipient,
          outcome: r.outcome,
          ...(r.verified_address && { verifiedAddress: getAddress(r.verified_address) }),
        }),
      )
      // Entries past the cap that a later trim will drop count as dropped already.
      return { entries, dropped: share.access_dropped + Math.max(0, share.entries - this.options.accessLogCap) }
    })
  }

  usage(patient: Address, commitment: Hex, now: number): Promise<ShareUsage> {
    return usageOf(this.db, patient, commitment, now)
  }

  async claimNonce(nonce: Hex, expiresAt: number, now: number): Promise<boolean> {
    if (!/^0x[0-9a-f]{64}$/.test(nonce)) throw new TypeError('a nonce is 32 bytes of lowercase hex')
    if (now - this.lastNonceSweep >= NONCE_SWEEP_INTERVAL_MS) {
      this.lastNonceSweep = now
      await this.db.query('DELETE FROM nonces WHERE expires_at < $1', [Math.floor(now / 1000)])
    }
    const inserted = await this.db.query('INSERT INTO nonces (nonce, expires_at) VALUES ($1, $2) ON CONFLICT (nonce) DO NOTHING RETURNING nonce', [
      nonce,
      expiresAt,
    ])
    return inserted.length === 1
  }

  secret(name: string): Promise<Uint8Array> {
    if (!/^[a-z-]+$/.test(name)) throw new TypeError('a secret name is lowercase letters and dashes')
    let secret = this.secrets.get(name)
    if (!secret) {
      secret = this.readOrCreateSecret(name)
      // A failure (the database down) is not remembered: the next request asks again.
      secret.catch(() => this.secrets.delete(name))
      this.secrets.set(name, secret)
    }
    return secret
  }

  async leaseSponsor(sponsor: Address, holder: string, now: number, ttlMs: number): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO sponsor_leases (sponsor, holder, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (sponsor) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
        WHERE sponsor_leases.holder = EXCLUDED.holder OR sponsor_leases.expires_at <= $4
       RETURNING holder`,
      [sponsor.toLowerCase(), holder, now + ttlMs, now],
    )
    return rows.length === 1
  }

  listBackupVersions(backupId: string): Promise<StoredBackupVersion[]> {
    return backups.listBackupVersions(this.db, backupId)
  }

  readBackupVersion(backupId: string, version: number): Promise<{ version: StoredBackupVersion; bytes: Uint8Array<ArrayBuffer> } | undefined> {
    return backups.readBackupVersion(this.db, backupId, version)
  }

  putBackupVersion(backupId: string, upload: BackupUpload, options: { previous: Hex; now: number; keep: number }): Promise<BackupPutResult> {
    return backups.putBackupVersion(this.db, backupId, upload, options)
  }

  deleteBackup(backupId: string): Promise<number> {
    return backups.deleteBackup(this.db, backupId)
  }

  private async readOrCreateSecret(name: string): Promise<Uint8Array> {
    await this.db.query('INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, randomBytes(32)])
    const [row] = await this.db.query<{ value: Uint8Array }>('SELECT value FROM secrets WHERE name = $1', [name])
    if (row?.value.length !== 32) throw new Error(`the secret ${name} is missing or not 32 bytes`)
    return new Uint8Array(row.value)
  }

  /**
   * Drops a log's entries past the cap, and counts them. Run after one append in
   * TRIM_EVERY (chosen by the entry's id, so no counter row is updated on every open): a log
   * grows past its cap by a few dozen entries at most before it is trimmed. Two hosts trimming
   * at once delete each entry once: the second finds the rows gone and counts only what it deleted.
   */
  private async trimLogNow(shareId: string, entryId: number): Promise<void> {
    if (entryId % TRIM_EVERY !== 0) return
    await this.db.query(
      `WITH doomed AS (
         DELETE FROM access_log
          WHERE share_id = $1
            AND id <= (SELECT id FROM access_log WHERE share_id = $1 ORDER BY id DESC OFFSET $2 LIMIT 1)
         RETURNING 1
       )
       UPDATE shares SET access_dropped = access_dropped + (SELECT count(*) FROM doomed) WHERE id = $1`,
      [shareId, this.options.accessLogCap],
    )
  }
}

/**
 * Serialises quota checks of one patient address and one grant across hosts until the
 * transaction ends (always in this order, so two uploads never wait on each other in a circle).
 */
async function lockQuotaOf(tx: SqlQueryable, patient: Address, commitment: Hex): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`patient:${patient.toLowerCase()}`])
  await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`grant:${commitment.toLowerCase()}`])
}

async function usageOf(db: SqlQueryable, patient: Address, commitment: Hex, now: number, excluding = ''): Promise<ShareUsage> {
  const [row] = await db.query<{ patient_shares: number; patient_bytes: number; grant_shares: number; grant_bytes: number }>(
    `SELECT count(*) FILTER (WHERE patient = $1) AS patient_shares,
            coalesce(sum(total_bytes) FILTER (WHERE patient = $1), 0)::bigint AS patient_bytes,
            count(*) FILTER (WHERE commitment = $2) AS grant_shares,
            coalesce(sum(total_bytes) FILTER (WHERE commitment = $2), 0)::bigint AS grant_bytes
       FROM shares
      WHERE status = 'active' AND (patient = $1 OR commitment = $2)
        AND (expires_at IS NULL OR expires_at > $3) AND id <> $4`,
    [patient.toLowerCase(), commitment.toLowerCase(), Math.floor(now / 1000), excluding],
  )
  return {
    patientShares: row?.patient_shares ?? 0,
    patientBytes: row?.patient_bytes ?? 0,
    grantShares: row?.grant_shares ?? 0,
    grantBytes: row?.grant_bytes ?? 0,
  }
}

async function insertFiles(tx: SqlQueryable, shareId: string, files: readonly FileUpload[]): Promise<void> {
  for (const [position, file] of files.entries()) {
    await tx.query(
      'INSERT INTO share_files (share_id, id, position, content_type, length, last_updated, jwe) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [shareId, file.meta.id, position, file.meta.contentType, file.meta.length, file.meta.lastUpdated, file.jwe],
    )
  }
}

const totalBytes = (files: readonly FileUpload[]) => files.reduce((sum, f) => sum + f.meta.length, 0)

function passcodeHash(passcode: StoredPasscode): Omit<StoredPasscode, 'allowed' | 'failures'> {
  const { allowed: _allowed, failures: _failures, ...hash } = passcode
  return hash
}

function shareFromRow(row: ShareRow): StoredShare {
  return {
    id: row.id,
    patient: getAddress(row.patient),
    commitment: row.commitment as Hex,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...(row.expires_at !== null && { expiresAt: row.expires_at }),
    ...(row.valid_from !== null && row.valid_until !== null && { grantPeriod: { validFrom: row.valid_from, validUntil: row.valid_until } }),
    ...(row.passcode !== null &&
      row.passcode_allowed !== null && { passcode: { ...row.passcode, allowed: row.passcode_allowed, failures: row.passcode_failures } }),
    files: row.files.map((f) => ({ id: f.id, contentType: f.content_type, length: f.length, lastUpdated: f.last_updated })),
  }
}
