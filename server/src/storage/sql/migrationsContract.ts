/** How the schema migrates, as tests run against each database the host supports. */
import { describe, expect, it } from 'vitest'
import type { SqlDatabase } from './database.ts'
import { migrate, MIGRATIONS, SchemaTooNewError } from './migrations.ts'
import { SqlShareStore } from './sqlShareStore.ts'
import { CONTRACT_LOG_CAP, CONTRACT_QUOTA } from './shareStoreContract.ts'

const SHARE = 'A'.repeat(43)
const PATIENT = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8'
const COMMITMENT = `0x${'ab'.repeat(32)}` as const

export function describeMigrations(name: string, openFreshDatabase: () => Promise<SqlDatabase>) {
  describe(`share store migrations on ${name}`, () => {
    it('brings a database of the first schema, with its data, up to date: quotas and the log count what was there', async () => {
      const db = await openFreshDatabase()
      try {
        expect(await migrate(db, MIGRATIONS.slice(0, 1))).toEqual([1])
        // A share as the first schema stored it: two files, three log entries, no grant period.
        await db.query(
          `INSERT INTO shares (id, patient, commitment, status, created_at, updated_at) VALUES ($1, $2, $3, 'active', 1, 1)`,
          [SHARE, PATIENT, COMMITMENT],
        )
        for (const [i, length] of [700, 300].entries()) {
          await db.query(
            `INSERT INTO share_files (share_id, id, position, content_type, length, last_updated, jwe) VALUES ($1, $2, $3, 'application/fhir+json', $4, 1, 'x')`,
            [SHARE, `${'f'.repeat(21)}${i}`, i, length],
          )
        }
        for (let i = 0; i < 3; i++) await db.query(`INSERT INTO access_log (share_id, at, recipient, outcome) VALUES ($1, $2, 'Dr. Old', 'opened')`, [SHARE, i])

        expect(await migrate(db)).toEqual(MIGRATIONS.slice(1).map((m) => m.version))
        const store = new SqlShareStore(db, { quota: CONTRACT_QUOTA, accessLogCap: CONTRACT_LOG_CAP })
        const share = await store.readShare(SHARE)
        expect(share).toMatchObject({ status: 'active', files: [{ length: 700 }, { length: 300 }] })
        expect(share?.grantPeriod).toBeUndefined()
        // Stored before shares had a grant beside them: its link carries the grant.
        expect(await store.readGrant(SHARE)).toBeUndefined()
        expect(await store.usage(PATIENT, COMMITMENT, 2)).toEqual({ patientShares: 1, patientBytes: 1_000, grantShares: 1, grantBytes: 1_000 })
        expect((await store.readAccessLog(SHARE)).entries.map((e) => e.at)).toEqual([0, 1, 2])
        // Up to date: nothing more to apply.
        expect(await migrate(db)).toEqual([])
      } finally {
        await db.close()
      }
    })

    it('refuses to run on a database migrated by a newer host, and changes nothing', async () => {
      const db = await openFreshDatabase()
      try {
        const future = [...MIGRATIONS, { version: 99, name: 'from the future', sql: 'CREATE TABLE future (x integer)' }]
        await migrate(db, future)
        await expect(migrate(db)).rejects.toThrow(SchemaTooNewError)
        await expect(migrate(db)).rejects.toThrow(/schema version 99, newer than this host knows/)
      } finally {
        await db.close()
      }
    })

    it('rolls a failed migration back whole: the schema stays at the version before it', async () => {
      const db = await openFreshDatabase()
      try {
        const broken = [...MIGRATIONS, { version: 50, name: 'half good', sql: 'CREATE TABLE half (x integer); SELECT * FROM no_such_table;' }]
        await expect(migrate(db, broken)).rejects.toThrow(/no_such_table/)
        expect(await db.query(`SELECT count(*) AS n FROM pg_tables WHERE tablename IN ('half', 'shares')`)).toEqual([{ n: 0 }])
        expect(await migrate(db)).toEqual(MIGRATIONS.map((m) => m.version))
      } finally {
        await db.close()
      }
    })
  })
}
