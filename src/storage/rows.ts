import { z } from 'zod'
import { sealedSchema, type Sealed } from '../domain/crypto/envelope.ts'

/**
 * The shapes of the consent and share rows at rest, apart from the repositories that read and
 * write them, so that the database schema (db.ts) can name them without importing a repository.
 * A row is a random id, its timestamps and one AES-256-GCM ciphertext of everything else.
 *
 * Format 2 (written today): the plaintext is padded to a size bucket (domain/crypto/padding.ts)
 * and the associated data binds the row's id and both timestamps. Format 1 (before): unpadded,
 * bound to the id only; still read, and written as format 2 the next time the row changes.
 */
type SealedRow<F extends number> = {
  format: F
  /** Random (UUID v4); says nothing about what it holds. */
  id: string
  sealed: Sealed
  createdAt: number
  updatedAt: number
}

/**
 * The shape check of a sealed row as IndexedDB (or a backup) gives it back; the contents are
 * checked when the row is opened.
 *
 * @example
 * const consentRowSchema = sealedRowSchema([LEGACY_SEALED_ROW_FORMAT, CONSENT_ROW_FORMAT])
 */
export const sealedRowSchema = <F extends number>(formats: readonly F[]) =>
  z.object({
    format: z.literal(formats),
    id: z.string().min(1).max(64),
    sealed: sealedSchema,
    createdAt: z.number(),
    updatedAt: z.number(),
  })

/** Consent and share rows sealed before padding. */
export const LEGACY_SEALED_ROW_FORMAT = 1

export const CONSENT_ROW_FORMAT = 2
/** A consent grant at rest (see consentsRepository.ts), sealed under the wallet's consents key. */
export type ConsentRow = SealedRow<typeof LEGACY_SEALED_ROW_FORMAT | typeof CONSENT_ROW_FORMAT>
export const consentRowSchema = sealedRowSchema([LEGACY_SEALED_ROW_FORMAT, CONSENT_ROW_FORMAT])

export const SHARE_ROW_FORMAT = 2
/** A share at rest (see sharesRepository.ts); its id is local only, never the share's id at the host. */
export type ShareRow = SealedRow<typeof LEGACY_SEALED_ROW_FORMAT | typeof SHARE_ROW_FORMAT>
export const shareRowSchema = sealedRowSchema([LEGACY_SEALED_ROW_FORMAT, SHARE_ROW_FORMAT])
