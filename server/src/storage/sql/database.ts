/**
 * The little the share store needs from a SQL database: parameterised queries and
 * transactions. Two drivers implement it with the same SQL: a PostgreSQL server through `pg`
 * (`pgDatabase.ts`, for several hosts on one database) and PGlite, PostgreSQL compiled to
 * WebAssembly and run in this process (`pgliteDatabase.ts`, the zero-setup default).
 */

/** Something that runs a query: the database itself, or one transaction. */
export interface SqlQueryable {
  /** Runs one statement with `$1, $2, …` parameters and returns its rows. */
  query<Row extends Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>
  /** Runs a script of several statements without parameters (a migration). */
  exec(script: string): Promise<void>
}

export interface SqlDatabase extends SqlQueryable {
  /**
   * Runs `work` in one transaction (READ COMMITTED): committed when it resolves, rolled back
   * when it throws. Nothing it wrote is visible to others before the commit.
   */
  transaction<T>(work: (tx: SqlQueryable) => Promise<T>): Promise<T>
  close(): Promise<void>
}

/**
 * The database cannot be reached or went away mid-request. The host answers 503 and nothing
 * is half written: every change is one statement or one transaction.
 */
export class StorageUnavailableError extends Error {
  constructor(options?: ErrorOptions) {
    super('The share host’s database is not available', options)
    this.name = 'StorageUnavailableError'
  }
}

/** SQLSTATE classes that mean the connection or the server, not the statement: 08 connection, 53 resources, 57 operator intervention. */
const UNAVAILABLE_SQLSTATE = /^(08|53|57)/
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN'])

/**
 * True when an error from a driver says the database is unreachable rather than that a
 * statement was wrong (which is a bug, and stays a 500).
 */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code))) return true
  if (error instanceof AggregateError) return error.errors.some(isUnavailable)
  // pg's own wording for a connection that ended or never came.
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(error.message)
}

/** Rethrows a driver error as StorageUnavailableError when it is one. */
export function translateError(error: unknown): never {
  if (error instanceof StorageUnavailableError) throw error
  if (isUnavailable(error)) throw new StorageUnavailableError({ cause: error })
  throw error
}

/** A database opened on first use (PGlite takes a moment to start, and opening it is async). */
export function lazyDatabase(open: () => Promise<SqlDatabase>): SqlDatabase {
  let opened: Promise<SqlDatabase> | undefined
  const db = () => (opened ??= open())
  return {
    query: async (text, params) => (await db()).query(text, params),
    exec: async (script) => (await db()).exec(script),
    transaction: async (work) => (await db()).transaction(work),
    close: async () => {
      if (opened) await (await opened).close()
    },
  }
}
