/**
 * How much opening a SMART Health Link may make this tab fetch, hold and decrypt, and how long
 * a share host may take to answer: all in one place. A link is untrusted input: its manifest
 * URL may lead to a host that lists thousands of files, sends an endless body, or never
 * answers. Past a limit the client stops at once (it reads bodies as a stream and cancels
 * them) and throws a CareKeyError that says what was too much and what to do.
 */

import { DEFAULT_MAX_SHARE_FILE_BYTES } from '../domain/shl/jwe.ts'

const MIB = 1_048_576

/** The limits that apply to opening one link (`listShareFiles`, `openShareLink`). */
export type ShareOpenLimits = {
  /** Files a manifest may list; a longer manifest is refused before any file is fetched. */
  readonly maxFiles: number
  /** Largest manifest reply (embedded files included); reading stops past it. */
  readonly maxManifestBytes: number
  /** Largest encrypted file (its JWE text), embedded or fetched; reading stops past it. */
  readonly maxFileBytes: number
  /** Most encrypted bytes one opened link reads in all (every file opened, each time it is opened). */
  readonly maxTotalBytes: number
  /** Largest decrypted (decompressed) file: a compressed file cannot grow past it. */
  readonly maxDecryptedFileBytes: number
  /** Every request (the manifest, a file, a file location): the whole reply, body included, within this time. */
  readonly timeoutMs: number
}

/**
 * The viewer's limits. A CareKey share is one FHIR file of kilobytes to a few megabytes; these
 * leave room for other apps' shares while keeping a hostile link from filling the tab's memory
 * or leaving the clinician waiting forever.
 *
 * @example
 * await listShareFiles(payload, { recipient, limits: { ...SHARE_OPEN_LIMITS, maxFiles: 5 } })
 */
export const SHARE_OPEN_LIMITS: ShareOpenLimits = {
  maxFiles: 20,
  maxManifestBytes: 8 * MIB,
  maxFileBytes: 20 * MIB,
  maxTotalBytes: 64 * MIB,
  maxDecryptedFileBytes: DEFAULT_MAX_SHARE_FILE_BYTES, // 32 MiB
  timeoutMs: 15_000,
}

/** The patient's requests to their share host (create, update, stop, access log): an upload may take longer. */
export const SHARE_MANAGEMENT_TIMEOUT_MS = 60_000

/** Largest reply to a patient's request (a share status, an access log). */
export const MAX_MANAGEMENT_REPLY_BYTES = 8 * MIB

/** What a CareKey viewer asks the host to embed in the manifest rather than link. */
export const VIEWER_EMBEDDED_LENGTH_MAX = 4 * MIB

/** Largest error reply read for its reason (a refusal, a wrong passcode's attempts left). */
export const MAX_ERROR_REPLY_BYTES = 65_536

/** The online backup's small requests (list the versions, delete them): the whole reply within this time. */
export const BACKUP_REQUEST_TIMEOUT_MS = 30_000

/**
 * An upload or download of a backup gets BACKUP_REQUEST_TIMEOUT_MS plus the time its bytes take
 * at this slow a connection (64 KiB/s: a 10 MB backup gets about three minutes in all).
 */
export const BACKUP_SLOWEST_TRANSFER_BYTES_PER_S = 65_536

/** Largest JSON reply to a backup request (a list of a few versions, a conflict, a refusal). */
export const MAX_BACKUP_REPLY_BYTES = 65_536
