import type { z } from 'zod'
import { open, type Sealed } from '../domain/crypto/envelope.ts'
import { openPadded, sealPadded } from '../domain/crypto/padding.ts'
import type { CareKeyError } from '../domain/errors.ts'
import { openCareKeyDb } from './db.ts'
import { storageCall } from './errors.ts'
import { LEGACY_SEALED_ROW_FORMAT } from './rows.ts'

/** What a sealed row holds in the clear; format 2 binds all of it to the ciphertext. */
type RowMetadata = { format: number; id: string; createdAt: number; updatedAt: number }

function rowData(kind: 'consent' | 'share', row: RowMetadata): string {
  if (row.format === LEGACY_SEALED_ROW_FORMAT) return `carekey-${kind}:v1:${row.id}`
  return `carekey-${kind}:v${row.format}:${row.id}:${row.createdAt}:${row.updatedAt}`
}

/**
 * Seals a consent's or a share's plaintext for its row in today's format (padded, bound to the
 * row's id and timestamps).
 *
 * @example
 * const sealed = await sealRowPayload('consent', { format: CONSENT_ROW_FORMAT, id, createdAt, updatedAt }, bytes, key)
 */
export function sealRowPayload(kind: 'consent' | 'share', row: RowMetadata, plaintext: Uint8Array, key: CryptoKey): Promise<Sealed> {
  return sealPadded(key, plaintext, rowData(kind, row))
}

/**
 * The plaintext of a consent or share row in either format; throws IntegrityError when the
 * ciphertext, its padding or the metadata it is bound to were changed.
 *
 * @example
 * const bytes = await openRowPayload('share', row, key)
 */
export function openRowPayload(kind: 'consent' | 'share', row: RowMetadata & { sealed: Sealed }, key: CryptoKey): Promise<Uint8Array> {
  if (row.format === LEGACY_SEALED_ROW_FORMAT) return open(key, row.sealed, rowData(kind, row))
  return openPadded(key, row.sealed, rowData(kind, row))
}

/** How one store's rows are checked and decrypted. */
export type SealedRowKind<Row, Item> = {
  store: 'consents' | 'shares'
  rowSchema: z.ZodType<Row>
  open: (row: Row, key: CryptoKey) => Promise<Item>
  /** The error an unreadable row throws; other errors are not about the row. */
  damaged: new (detail: string) => CareKeyError
}

/**
 * Every row of a store, decrypted, newest first. A row that cannot be read is counted in
 * `damaged` rather than hiding the others.
 */
export async function readAllSealed<Row, Item extends { createdAt: number }>(
  kind: SealedRowKind<Row, Item>,
  key: CryptoKey,
): Promise<{ items: Item[]; damaged: number }> {
  const db = await openCareKeyDb()
  const raw: unknown[] = await storageCall(() => db.getAll(kind.store))
  const items: Item[] = []
  let damaged = 0
  for (const value of raw) {
    const row = kind.rowSchema.safeParse(value)
    try {
      if (!row.success) throw new kind.damaged('its row is malformed')
      items.push(await kind.open(row.data, key))
    } catch (error) {
      if (!(error instanceof kind.damaged)) throw error
      damaged++
    }
  }
  items.sort((a, b) => b.createdAt - a.createdAt)
  return { items, damaged }
}

/** One row, decrypted; undefined when there is none with this id. Throws the kind's damaged error. */
export async function readOneSealed<Row, Item>(kind: SealedRowKind<Row, Item>, key: CryptoKey, id: string): Promise<Item | undefined> {
  const db = await openCareKeyDb()
  const raw: unknown = await storageCall(() => db.get(kind.store, id))
  if (raw === undefined) return undefined
  const row = kind.rowSchema.safeParse(raw)
  if (!row.success) throw new kind.damaged('its row is malformed')
  return kind.open(row.data, key)
}
