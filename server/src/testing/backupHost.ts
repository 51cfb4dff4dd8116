/**
 * A share host in this process for tests of online backups: the real routes and the real SQL
 * store on an in-memory PGlite database, a clock the test moves, no chain.
 */
import type { Hex } from 'viem'
import type { LocalAccount } from 'viem/accounts'
import { backupIdOf, signBackupRequest, type BackupAction } from '../../../src/domain/backup/hostBackup.ts'
import type { FetchLike } from '../../../src/shareHost/client.ts'
import { createShareHostApp } from '../app.ts'
import { readShareHostConfig, type ShareHostConfig } from '../config.ts'
import type { SqlDatabase } from '../storage/sql/database.ts'
import { pgliteDatabase } from '../storage/sql/pgliteDatabase.ts'
import { SqlShareStore } from '../storage/sql/sqlShareStore.ts'
import { FakeGrants } from './fakeGrants.ts'

export const BACKUP_TEST_HOST_URL = 'http://backups.test'

export type BackupTestHost = {
  /** The host's public URL, the one requests are signed for. */
  hostUrl: string
  config: ShareHostConfig
  store: SqlShareStore
  /** The database behind the store, to look at what the host keeps. */
  db: SqlDatabase
  /** Calls the host in this process (no socket). */
  fetch: FetchLike
  /** The host's clock, unix milliseconds. */
  clock: () => number
  /** Moves the host's clock forward. */
  advance(seconds: number): void
  close(): Promise<void>
}

/**
 * Starts a share host in this process with backups on: configure it with CAREKEY_* variables
 * (`CAREKEY_BACKUP_MAX_BYTES`, `CAREKEY_BACKUP_VERSIONS_KEPT`, …). Rate limits are off unless
 * `env` sets them. Pass `db` to share one database between hosts; close() closes it only when
 * the host opened it.
 *
 * @example
 * const host = await startBackupTestHost({ CAREKEY_BACKUP_VERSIONS_KEPT: '2' })
 * const response = await sendBackupRequest(host, account, { action: 'list-backups' })
 */
export async function startBackupTestHost(env: Record<string, string> = {}, db?: SqlDatabase): Promise<BackupTestHost> {
  const config = readShareHostConfig({
    CAREKEY_CHAIN_ID: '31337',
    CAREKEY_RPC_URL: 'http://127.0.0.1:9',
    CAREKEY_CONSENT_REGISTRY: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    CAREKEY_SHARE_HOST_URL: BACKUP_TEST_HOST_URL,
    CAREKEY_SHARE_HOST_RATE_LIMIT: '0',
    CAREKEY_BACKUP_RATE_LIMIT: '0',
    ...env,
  })
  const database = db ?? (await pgliteDatabase())
  let now = Date.now()
  const clock = () => now
  const store = new SqlShareStore(database, { quota: config.quota, accessLogCap: config.accessLogCap })
  const app = createShareHostApp(config, { store, clock, grants: new FakeGrants(clock) })
  return {
    hostUrl: config.publicUrl,
    config,
    store,
    db: database,
    fetch: (input, init) => Promise.resolve(app.request(input, init)),
    clock,
    advance: (seconds) => {
      now += seconds * 1000
    },
    close: async () => {
      if (!db) await database.close()
    },
  }
}

/**
 * Sends one backup request signed by `account` (the backup's key) to its own backup, the way
 * the app does: PUT bodies as application/octet-stream. Returns the host's raw reply.
 *
 * @example
 * await sendBackupRequest(host, account, { action: 'put-backup', previous: NO_PREVIOUS_BACKUP, body: bytes })
 */
export async function sendBackupRequest(
  host: Pick<BackupTestHost, 'hostUrl' | 'fetch' | 'clock'>,
  account: LocalAccount,
  request: { action: BackupAction; version?: number; previous?: Hex; body?: Uint8Array<ArrayBuffer> },
): Promise<Response> {
  const authorization = await signBackupRequest({ address: account.address, signTypedData: account.signTypedData }, host.hostUrl, {
    ...request,
    now: host.clock(),
  })
  return host.fetch(backupRequestUrl(host.hostUrl, backupIdOf(account.address), request), {
    method: BACKUP_METHODS[request.action],
    headers: { authorization, ...(request.body && { 'content-type': 'application/octet-stream' }) },
    ...(request.body && { body: request.body }),
  })
}

/** The URL of a backup request: the backup, or one of its versions for a read. */
export function backupRequestUrl(hostUrl: string, backupId: string, request: { action: BackupAction; version?: number }): string {
  return request.action === 'read-backup' ? `${hostUrl}/api/backups/${backupId}/versions/${request.version ?? 0}` : `${hostUrl}/api/backups/${backupId}`
}

export const BACKUP_METHODS: Record<BackupAction, string> = {
  'list-backups': 'GET',
  'read-backup': 'GET',
  'put-backup': 'PUT',
  'delete-backups': 'DELETE',
}
