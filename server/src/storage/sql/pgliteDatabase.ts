import { PGlite, types } from '@electric-sql/pglite'
import type { SqlDatabase, SqlQueryable } from './database.ts'

/** Whole numbers in bigint columns (milliseconds, counts) are well inside 2^53: read them as numbers. */
const parsers = { [types.INT8]: (value: string) => Number(value) }

/**
 * PostgreSQL in this process (PGlite, WebAssembly): the share host's zero-setup store for
 * `npm run dev` and for tests, running the very SQL the server runs. `dataDir` keeps the
 * database in a folder; without it, it lives in memory. One connection, so statements run
 * one at a time: fine for one clinic, not for load (use PostgreSQL for that).
 */
export async function pgliteDatabase(dataDir?: string): Promise<SqlDatabase & { pglite: PGlite }> {
  const pglite = await PGlite.create(dataDir, { parsers })
  return wrap(pglite)
}

/** A copy of an in-memory database (tests clone one migrated database instead of migrating each time). */
export async function clonePgliteDatabase(source: { pglite: PGlite }): Promise<SqlDatabase & { pglite: PGlite }> {
  return wrap((await source.pglite.clone()) as PGlite)
}

function wrap(pglite: PGlite): SqlDatabase & { pglite: PGlite } {
  const queryable = (target: Pick<PGlite, 'query' | 'exec'>): SqlQueryable => ({
    async query<Row>(text: string, params: readonly unknown[] = []) {
      const result = await target.query<Row>(text, [...params])
      return result.rows
    },
    async exec(script) {
      await target.exec(script)
    },
  })
  return {
    pglite,
    ...queryable(pglite),
    transaction: (work) => pglite.transaction((tx) => work(queryable(tx))),
    close: () => pglite.close(),
  }
}
