import type { Address, Hex } from 'viem'
import type { SHL_CONTENT_TYPES } from '../../../src/domain/shl/index.ts'

/** A slow hash of a share's passcode, and how many wrong ones it has seen over its life. */
export type StoredPasscode = {
  algorithm: 'scrypt'
  N: number
  r: number
  p: number
  salt: string
  hash: string
  /** Wrong passcodes the share survives over its life, fixed when it was created. */
  allowed: number
  failures: number
}

export type StoredFile = {
  /** Random, chosen by the host; names the ciphertext in location URLs. */
  id: string
  contentType: (typeof SHL_CONTENT_TYPES)[number]
  /** Length of the JWE text, which is what `embeddedLengthMax` compares against. */
  length: number
  /** Unix milliseconds. */
  lastUpdated: number
}

/** A file with its ciphertext, as it is stored. */
export type FileUpload = { meta: StoredFile; jwe: string }

/** What the host keeps about a share. Never a key, never plaintext: the files are JWE ciphertext. */
export type StoredShare = {
  id: string
  /** The (per-grant) address that granted; only it manages the share. */
  patient: Address
  /** The grant's commitment in the ConsentRegistry, checked before every manifest. */
  commitment: Hex
  /**
   * The grant's period as the patient stated it (unix seconds), checked on chain with
   * `statusOfGrant`: before `validFrom` the share is not served. Absent for shares made before
   * the host stored it; those are checked with `statusOfCommitment`.
   */
  grantPeriod?: { validFrom: number; validUntil: number }
  status: 'active' | 'deactivated' | 'locked'
  /** Unix milliseconds. */
  createdAt: number
  updatedAt: number
  /** Unix seconds; the link is dead afterwards, whatever the chain says. */
  expiresAt?: number
  passcode?: StoredPasscode
  files: StoredFile[]
}

/** One open of a share (or a wrong passcode), as the patient reads it. No IP address, no payload. */
export type StoredAccess = {
  /** Unix milliseconds. */
  at: number
  recipient: string
  outcome: 'opened' | 'wrong-passcode'
  verifiedAddress?: Address
}

/** The newest entries of a share's log (oldest first), and how many older ones were dropped. */
export type AccessLogPage = { entries: StoredAccess[]; dropped: number }

/**
 * Limits per patient address and per grant commitment, over the shares that are active and
 * not past their own expiry: how many, and how many bytes of files together.
 */
export type ShareQuota = {
  sharesPerPatient: number
  bytesPerPatient: number
  sharesPerGrant: number
  bytesPerGrant: number
}

/** What a patient and a grant hold on the host now (active, unexpired shares). */
export type ShareUsage = { patientShares: number; patientBytes: number; grantShares: number; grantBytes: number }

export type QuotaRefusal = { kind: 'over-quota'; detail: string }

/** One stored version of a wallet's encrypted backup: all the host learns of it. */
export type StoredBackupVersion = {
  /** 1, 2, 3…: one more than the newest at the time of upload. */
  version: number
  /** Unix milliseconds, the host's time of upload. */
  createdAt: number
  size: number
  /** SHA-256 of its bytes, lowercase hex. */
  sha256: Hex
}

/** An upload's bytes and their SHA-256 (checked against the signed body hash as they arrived). */
export type BackupUpload = { bytes: Uint8Array; sha256: Hex }

/** A new version, or the newest one as it is when `previous` named another (none when it holds none). */
export type BackupPutResult = { kind: 'stored'; version: StoredBackupVersion } | { kind: 'conflict'; latest?: StoredBackupVersion }

/**
 * Where the share host keeps shares, files, access logs, used nonces, its own secrets and
 * wallets' online backups:
 * one SQL store (`sql/sqlShareStore.ts`) on PostgreSQL or on PGlite. Every method is one
 * statement or one transaction, so several hosts on one database keep every count exact and
 * a failure halfway leaves nothing half written.
 */
export interface ShareStore {
  /** Brings the schema up to date (hosts starting together take turns); once per store, again after a failure. */
  init(): Promise<void>
  close(): Promise<void>
  readShare(id: string): Promise<StoredShare | undefined>
  /**
   * Stores a new share, its files and its grant (a JWE the host cannot read, absent from
   * shares made before) together, if the quota allows (checked and written in one transaction,
   * so that parallel uploads on several hosts cannot pass it together).
   */
  createShare(
    share: StoredShare,
    files: readonly FileUpload[],
    now: number,
    grant?: string,
  ): Promise<{ kind: 'created' } | { kind: 'exists' } | QuotaRefusal>
  /** The grant stored with a share, whatever the share's status; undefined for an unknown share or one stored without. */
  readGrant(shareId: string): Promise<string | undefined>
  /** Replaces an active share's files all at once, if the quota allows. */
  replaceFiles(
    id: string,
    files: readonly FileUpload[],
    now: number,
  ): Promise<{ kind: 'replaced'; share: StoredShare } | { kind: 'inactive' } | QuotaRefusal>
  /** Deactivates a share and deletes its files (its log and its grant stay); undefined for an unknown share. */
  deactivateShare(id: string, now: number): Promise<StoredShare | undefined>
  /**
   * Counts one wrong passcode and logs it, in one statement: the share is locked when the count
   * reaches its allowance. Undefined when the share was no longer open to guesses (locked,
   * deactivated, gone).
   */
  recordWrongPasscode(id: string, entry: StoredAccess): Promise<{ remainingAttempts: number } | undefined>
  readFile(shareId: string, fileId: string): Promise<string | undefined>
  /** Adds an entry to a share's log; the oldest entries past the cap are dropped and counted. */
  appendAccess(shareId: string, entry: StoredAccess): Promise<void>
  readAccessLog(shareId: string): Promise<AccessLogPage>
  /** What the patient and the grant hold now, for refusing an upload before reading it. */
  usage(patient: Address, commitment: Hex, now: number): Promise<ShareUsage>
  /**
   * Records a signed request's nonce; false when it was recorded before (a replay). The nonce
   * is forgotten after `expiresAt` (unix seconds), when the request would be refused anyway.
   */
  claimNonce(nonce: Hex, expiresAt: number, now: number): Promise<boolean>
  /** A random secret shared by every host on the store, created on first use (for signing location URLs). */
  secret(name: string): Promise<Uint8Array>
  /**
   * Takes or renews the right to send with a sponsor account until `now + ttlMs`: true when
   * `holder` has it, false while another host holds it. Two hosts never send from one account
   * at once, so they never pick the same nonce.
   */
  leaseSponsor(sponsor: Address, holder: string, now: number, ttlMs: number): Promise<boolean>
  /** A backup's versions, newest first; none for an unknown id. */
  listBackupVersions(backupId: string): Promise<StoredBackupVersion[]>
  /** One version with its bytes; undefined once it is gone (pruned, deleted) or never was. */
  readBackupVersion(backupId: string, version: number): Promise<{ version: StoredBackupVersion; bytes: Uint8Array<ArrayBuffer> } | undefined>
  /**
   * Stores the next version of a backup if `previous` is the SHA-256 of its newest version
   * (NO_PREVIOUS_BACKUP when it holds none), and deletes the versions older than the newest
   * `keep`, in one transaction: of two uploads with the same `previous`, on any hosts, exactly
   * one is stored, and a failure stores nothing and deletes nothing.
   */
  putBackupVersion(backupId: string, upload: BackupUpload, options: { previous: Hex; now: number; keep: number }): Promise<BackupPutResult>
  /** Deletes every version of a backup; resolves with how many there were. */
  deleteBackup(backupId: string): Promise<number>
}

export const FILE_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/

/** Whether adding `shares` shares of `bytes` bytes keeps a patient and a grant within the quota. */
export function checkQuota(quota: ShareQuota, usage: ShareUsage, adding: { shares: number; bytes: number }): QuotaRefusal | undefined {
  if (usage.grantShares + adding.shares > quota.sharesPerGrant) {
    return { kind: 'over-quota', detail: `this grant already has ${usage.grantShares} active shares; the host keeps at most ${quota.sharesPerGrant}. Stop sharing one first.` }
  }
  if (usage.patientShares + adding.shares > quota.sharesPerPatient) {
    return { kind: 'over-quota', detail: `this patient address already has ${usage.patientShares} active shares; the host keeps at most ${quota.sharesPerPatient}. Stop sharing one first.` }
  }
  if (usage.grantBytes + adding.bytes > quota.bytesPerGrant) {
    return { kind: 'over-quota', detail: `the shares of this grant would hold ${usage.grantBytes + adding.bytes} bytes; the host keeps at most ${quota.bytesPerGrant}` }
  }
  if (usage.patientBytes + adding.bytes > quota.bytesPerPatient) {
    return { kind: 'over-quota', detail: `the shares of this patient address would hold ${usage.patientBytes + adding.bytes} bytes; the host keeps at most ${quota.bytesPerPatient}` }
  }
  return undefined
}
