import type { SqlDatabase } from './database.ts'

/** One step of the share store's schema. Applied once, in order, inside a transaction. */
export type Migration = { version: number; name: string; sql: string }

/**
 * The share store's schema, oldest first. A released migration is never edited: a change is a
 * new one. Times are unix milliseconds (`bigint`) except `expires_at` and `valid_*` (unix
 * seconds, as on chain and in the SMART Health Links spec).
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'shares, files, access log, nonces, secrets',
    sql: `
      CREATE TABLE shares (
        id                text PRIMARY KEY,
        patient           text NOT NULL,
        commitment        text NOT NULL,
        status            text NOT NULL CHECK (status IN ('active', 'deactivated', 'locked')),
        created_at        bigint NOT NULL,
        updated_at        bigint NOT NULL,
        expires_at        bigint,
        passcode          jsonb,
        passcode_allowed  integer,
        passcode_failures integer NOT NULL DEFAULT 0
      );
      CREATE TABLE share_files (
        share_id     text NOT NULL REFERENCES shares (id) ON DELETE CASCADE,
        id           text NOT NULL,
        position     integer NOT NULL,
        content_type text NOT NULL,
        length       integer NOT NULL,
        last_updated bigint NOT NULL,
        jwe          text NOT NULL,
        PRIMARY KEY (share_id, id)
      );
      CREATE TABLE access_log (
        id               bigserial PRIMARY KEY,
        share_id         text NOT NULL REFERENCES shares (id) ON DELETE CASCADE,
        at               bigint NOT NULL,
        recipient        text NOT NULL,
        outcome          text NOT NULL,
        verified_address text
      );
      CREATE INDEX access_log_by_share ON access_log (share_id, id);
      CREATE TABLE nonces (nonce text PRIMARY KEY, expires_at bigint NOT NULL);
      CREATE INDEX nonces_by_expiry ON nonces (expires_at);
      CREATE TABLE secrets (name text PRIMARY KEY, value bytea NOT NULL);
    `,
  },
  {
    version: 2,
    name: 'quotas, a capped access log, the grant period, sponsor leases',
    sql: `
      ALTER TABLE shares
        ADD COLUMN valid_from     bigint,
        ADD COLUMN valid_until    bigint,
        ADD COLUMN total_bytes    bigint NOT NULL DEFAULT 0,
        ADD COLUMN access_dropped integer NOT NULL DEFAULT 0;
      UPDATE shares s SET total_bytes = (SELECT coalesce(sum(f.length), 0) FROM share_files f WHERE f.share_id = s.id);
      CREATE INDEX shares_active_by_patient ON shares (patient) WHERE status = 'active';
      CREATE INDEX shares_active_by_commitment ON shares (commitment) WHERE status = 'active';
      CREATE TABLE sponsor_leases (
        sponsor    text PRIMARY KEY,
        holder     text NOT NULL,
        expires_at bigint NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'online backups: the last few versions of each wallet’s encrypted backup',
    // The key makes a version number one upload's: two hosts cannot both store version n+1.
    // The bytes are ciphertext, which does not compress: stored out of line, uncompressed.
    sql: `
      CREATE TABLE backup_versions (
        backup_id  text NOT NULL,
        version    bigint NOT NULL CHECK (version >= 1),
        created_at bigint NOT NULL,
        size       bigint NOT NULL CHECK (size >= 0),
        sha256     text NOT NULL,
        bytes      bytea NOT NULL,
        PRIMARY KEY (backup_id, version)
      );
      ALTER TABLE backup_versions ALTER COLUMN bytes SET STORAGE EXTERNAL;
    `,
  },
  {
    version: 4,
    name: 'the grant beside the manifest, encrypted under the link key',
    // Kept when the share is deactivated, so that a viewer of an old link can still say the consent was revoked.
    sql: `ALTER TABLE shares ADD COLUMN grant_jwe text;`,
  },
]

/** Any number, the same for every host: the lock two hosts starting together queue on. */
const MIGRATION_LOCK = 0x434b_0012

/** The database was migrated by a newer share host than this one. */
export class SchemaTooNewError extends Error {
  constructor(found: number, known: number) {
    super(`The share host's database has schema version ${found}, newer than this host knows (${known}). Upgrade this host.`)
    this.name = 'SchemaTooNewError'
  }
}

/**
 * Brings the schema up to date. Hosts starting together take turns (a transaction-scoped
 * advisory lock), so each migration is applied exactly once; a failed migration changes
 * nothing (PostgreSQL's DDL is transactional). Resolves with the versions it applied.
 */
export async function migrate(db: SqlDatabase, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer PRIMARY KEY,
      name       text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`)
    const rows = await tx.query<{ version: number }>('SELECT version FROM schema_migrations')
    const applied = new Set(rows.map((r) => r.version))
    const known = Math.max(0, ...migrations.map((m) => m.version))
    const newest = Math.max(0, ...applied)
    if (newest > known) throw new SchemaTooNewError(newest, known)
    const done: number[] = []
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue
      await tx.exec(migration.sql)
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name])
      done.push(migration.version)
    }
    return done
  })
}
