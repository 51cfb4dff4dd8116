import type { z } from 'zod'
import type { CareKeyError } from '../domain/errors.ts'
import { openCareKeyDb } from './db.ts'
import { storageCall } from './errors.ts'

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
