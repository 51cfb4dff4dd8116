import pg from 'pg'
import { translateError, type SqlDatabase, type SqlQueryable } from './database.ts'

const INT8_OID = 20

/** Whole numbers in bigint columns (milliseconds, counts) are well inside 2^53: read them as numbers. */
const typeParser = ((oid: number, format?: 'text' | 'binary'): unknown =>
  oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser

export type PgOptions = {
  /** `postgres://user:password@host:port/database`; never logged (it may hold a password). */
  url: string
  /** Connections this host keeps open at most. */
  maxConnections?: number
  /** How long a request waits for a connection before it is answered 503. */
  connectTimeoutMs?: number
}

/**
 * A PostgreSQL server through a pool of `pg` connections: the store several share hosts
 * share. Errors that mean the server is unreachable become StorageUnavailableError.
 */
export function pgDatabase(options: PgOptions): SqlDatabase {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    // Statements are short; one that hangs (a lock held by a dead client) must not hold a request forever.
    statement_timeout: 15_000,
    types: { getTypeParser: typeParser },
  })
  // An idle connection that the server drops (a restart, a failover) emits 'error' on the
  // pool; without a listener that would end the process. The next query gets a new connection.
  pool.on('error', () => undefined)

  const queryable = (target: pg.Pool | pg.PoolClient): SqlQueryable => ({
    async query<Row extends Record<string, unknown>>(text: string, params: readonly unknown[] = []) {
      try {
        const result = await target.query<Row>(text, [...params])
        return result.rows
      } catch (error) {
        return translateError(error)
      }
    },
    async exec(script) {
      try {
        // Without parameters pg sends the simple protocol, which takes several statements.
        await target.query(script)
      } catch (error) {
        translateError(error)
      }
    },
  })

  return {
    ...queryable(pool),
    async transaction(work) {
      let client: pg.PoolClient
      try {
        client = await pool.connect()
      } catch (error) {
        return translateError(error)
      }
      let broken = false
      try {
        await client.query('BEGIN')
        const result = await work(queryable(client))
        await client.query('COMMIT')
        return result
      } catch (error) {
        try {
          await client.query('ROLLBACK')
        } catch {
          // The connection itself failed: the server rolls the transaction back on its own.
          broken = true
        }
        return translateError(error)
      } finally {
        client.release(broken)
      }
    },
    close: () => pool.end(),
  }
}
