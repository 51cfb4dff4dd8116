import { join } from 'node:path'
import type { ShareHostConfig } from '../config.ts'
import type { ShareStore } from './shareStore.ts'
import { lazyDatabase } from './sql/database.ts'
import { pgDatabase } from './sql/pgDatabase.ts'
import { pgliteDatabase } from './sql/pgliteDatabase.ts'
import { SqlShareStore } from './sql/sqlShareStore.ts'

/**
 * The store the configuration asks for: the PostgreSQL server at CAREKEY_SHARE_HOST_DATABASE_URL
 * (several hosts may share it), or else PGlite in this process, keeping its database under
 * CAREKEY_SHARE_HOST_DATA_DIR (one host per folder). Both run the same SQL.
 */
export function shareStoreFromConfig(config: Pick<ShareHostConfig, 'databaseUrl' | 'dataDir' | 'quota' | 'accessLogCap'>): ShareStore {
  const db = config.databaseUrl
    ? pgDatabase({ url: config.databaseUrl })
    : lazyDatabase(() => pgliteDatabase(join(config.dataDir, 'db')))
  return new SqlShareStore(db, { quota: config.quota, accessLogCap: config.accessLogCap })
}
