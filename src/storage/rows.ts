import { z } from 'zod'
import { sealedSchema, type Sealed } from '../domain/crypto/envelope.ts'

/**
 * The shapes of the consent and share rows at rest, apart from the repositories that read and
 * write them, so that the database schema (db.ts) can name them without importing a repository.
 * A row is a random id, its timestamps and one AES-256-GCM ciphertext of everything else.
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
 * const consentRowSchema = sealedRowSchema(CONSENT_ROW_FORMAT)
 */
export const sealedRowSchema = <F extends number>(format: F) =>
  z.object({
    format: z.literal(format),
    id: z.string().min(1).max(64),
    sealed: sealedSchema,
    createdAt: z.number(),
    updatedAt: z.number(),
  })

export const CONSENT_ROW_FORMAT = 1
/** A consent grant at rest (see consentsRepository.ts), sealed under the wallet's consents key. */
export type ConsentRow = SealedRow<typeof CONSENT_ROW_FORMAT>
export const consentRowSchema = sealedRowSchema(CONSENT_ROW_FORMAT)

export const SHARE_ROW_FORMAT = 1
/** A share at rest (see sharesRepository.ts); its id is local only, never the share's id at the host. */
export type ShareRow = SealedRow<typeof SHARE_ROW_FORMAT>
export const shareRowSchema = sealedRowSchema(SHARE_ROW_FORMAT)
