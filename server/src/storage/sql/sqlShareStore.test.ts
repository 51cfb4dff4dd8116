import { describeMigrations } from './migrationsContract.ts'
import { describeShareStore } from './shareStoreContract.ts'
import { pgliteDatabase } from './pgliteDatabase.ts'

describeShareStore('PGlite (in memory)', () => pgliteDatabase())
describeMigrations('PGlite (in memory)', () => pgliteDatabase())
