import { existsSync } from 'node:fs'
import { Client } from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { createDatabase, findPostgresBinaries, PostgresNotFoundError, startPostgres, type PostgresCluster } from './postgres.ts'

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(sql)).rows as T[]
  } finally {
    await client.end()
  }
}

describe('startPostgres', () => {
  let cluster: PostgresCluster | undefined
  afterAll(async () => {
    await cluster?.stop()
  })

  it('runs a throwaway cluster that can be stopped, started again, and removed', async () => {
    cluster = await startPostgres()
    const { dir, port } = cluster
    expect(existsSync(dir)).toBe(true)
    expect(cluster.url).toBe(`postgres://carekey@127.0.0.1:${port}/postgres`)

    const [who] = await query<{ user: string; encoding: string; fsync: string }>(
      cluster.url,
      `SELECT current_user AS user, pg_encoding_to_char(encoding) AS encoding, current_setting('fsync') AS fsync
         FROM pg_database WHERE datname = current_database()`,
    )
    expect(who).toEqual({ user: 'carekey', encoding: 'UTF8', fsync: 'off' })

    // Each test gets a database of its own; what one writes the other does not see.
    const first = await cluster.newDatabase()
    const second = await cluster.newDatabase()
    expect(first).not.toBe(second)
    await query(first, 'CREATE TABLE shares (id text PRIMARY KEY)')
    await query(first, `INSERT INTO shares VALUES ('a')`)
    await expect(query(second, 'SELECT * FROM shares')).rejects.toThrow(/does not exist/)
    const named = await createDatabase(cluster.url, 'share_host_a')
    expect(named).toBe(`postgres://carekey@127.0.0.1:${port}/share_host_a`)
    await expect(createDatabase(cluster.url, 'Robert"; DROP')).rejects.toThrow(/lower-case letters/)

    // The database goes away mid-run: connections are refused, then it comes back with its data.
    await cluster.stopServer()
    expect(cluster.running).toBe(false)
    await expect(query(first, 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/)
    await cluster.startServer()
    expect(cluster.running).toBe(true)
    expect(await query(first, 'SELECT id FROM shares')).toEqual([{ id: 'a' }])

    await cluster.stop()
    cluster = undefined
    expect(existsSync(dir)).toBe(false)
    await expect(query(first, 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/)
  })

  it('says which package to install when the binaries are missing', () => {
    expect(() => findPostgresBinaries({ CAREKEY_POSTGRES_BINDIR: '/nonexistent' })).toThrow(PostgresNotFoundError)
    expect(() => findPostgresBinaries({ CAREKEY_POSTGRES_BINDIR: '/nonexistent' })).toThrow(/apt-get install -y postgresql/)
    expect(findPostgresBinaries({ PATH: process.env.PATH })).toMatch(/bin\/?$/)
  })
})
