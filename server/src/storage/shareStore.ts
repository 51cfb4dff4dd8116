import { z } from 'zod'
import type { Address, Hex } from 'viem'
import { addressSchema, bytes32Schema } from '../../../src/domain/hex.ts'
import { SHARE_ID_PATTERN, SHL_CONTENT_TYPES } from '../../../src/domain/shl/index.ts'

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
  /** Random, chosen by the host; names the ciphertext on disk and in location URLs. */
  id: string
  contentType: (typeof SHL_CONTENT_TYPES)[number]
  /** Length of the JWE text, which is what `embeddedLengthMax` compares against. */
  length: number
  /** Unix milliseconds. */
  lastUpdated: number
}

/** What the host keeps about a share. Never a key, never plaintext: the files are JWE ciphertext. */
export type StoredShare = {
  format: 1
  id: string
  /** The patient who granted; only they manage the share. */
  patient: Address
  /** The grant's commitment in the ConsentRegistry, checked before every manifest. */
  commitment: Hex
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

/**
 * Where the share host keeps shares, files, the access log, used nonces and its own secrets.
 * The local-disk store implements it; an object store (S3 and the like, with conditional
 * writes) can implement it later. Writes of a whole object are all-or-nothing.
 */
export interface ShareStore {
  /** Prepares the store (folders, leftovers of interrupted writes). */
  init(): Promise<void>
  readShare(id: string): Promise<StoredShare | undefined>
  /** Stores a new share; false when one with this id exists already (nothing is changed then). */
  createShare(share: StoredShare): Promise<boolean>
  /** Replaces a share's record all at once. */
  writeShare(share: StoredShare): Promise<void>
  readFile(shareId: string, fileId: string): Promise<string | undefined>
  writeFile(shareId: string, fileId: string, jwe: string): Promise<void>
  deleteFile(shareId: string, fileId: string): Promise<void>
  appendAccess(shareId: string, entry: StoredAccess): Promise<void>
  /** Oldest first. */
  readAccessLog(shareId: string): Promise<StoredAccess[]>
  /**
   * Records a signed request's nonce; false when it was recorded before (a replay). The nonce
   * is forgotten after `expiresAt` (unix seconds), when the request would be refused anyway.
   */
  claimNonce(nonce: Hex, expiresAt: number, now: number): Promise<boolean>
  /** A random secret of the host, created on first use and kept (for signing location URLs). */
  secret(name: string): Promise<Uint8Array>
}

export const FILE_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/

const storedPasscodeSchema = z.object({
  algorithm: z.literal('scrypt'),
  N: z.int().positive(),
  r: z.int().positive(),
  p: z.int().positive(),
  salt: z.string(),
  hash: z.string(),
  allowed: z.int().min(1),
  failures: z.int().min(0),
})

/** Stored records are read back through this: an older or damaged file is refused, not trusted. */
export const storedShareSchema = z.object({
  format: z.literal(1),
  id: z.string().regex(SHARE_ID_PATTERN),
  patient: addressSchema,
  commitment: bytes32Schema,
  status: z.enum(['active', 'deactivated', 'locked']),
  createdAt: z.int(),
  updatedAt: z.int(),
  expiresAt: z.int().optional(),
  passcode: storedPasscodeSchema.optional(),
  files: z.array(
    z.object({
      id: z.string().regex(FILE_ID_PATTERN),
      contentType: z.enum(SHL_CONTENT_TYPES),
      length: z.int().min(0),
      lastUpdated: z.int(),
    }),
  ),
})

export const storedAccessSchema = z.object({
  at: z.int(),
  recipient: z.string(),
  outcome: z.enum(['opened', 'wrong-passcode']),
  verifiedAddress: addressSchema.optional(),
})
