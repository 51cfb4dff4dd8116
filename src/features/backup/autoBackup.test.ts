import 'fake-indexeddb/auto'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { privateKeyToAccount } from 'viem/accounts'
import { backupIdOf } from '../../domain/backup/hostBackup.ts'
import { ShareHostUnreachableError } from '../../shareHost/client.ts'
import { closeCareKeyDb, useDatabaseName } from '../../storage/db.ts'
import { noteLocalChange, readLocalChanges } from '../../storage/localChanges.ts'
import { createFakeBackupHost, type FakeBackupHost } from '../../test/fakeBackupHost.ts'
import { createAutoBackup, type AutoBackup, type NetworkStatus } from './autoBackup.ts'
import { setAutoBackupEnabled, type BackupContext } from './backupActions.ts'
import { AUTO_BACKUP_DEBOUNCE_MS, BACKUP_RETRY_FIRST_MS, readBackupStatus } from './status.ts'

const signer = privateKeyToAccount(`0x${'33'.repeat(32)}`)
const id = backupIdOf(signer.address)

/** A connection the test turns off and on, like the browser's navigator.onLine and 'online' event. */
type FakeNetwork = NetworkStatus & { online: boolean; comeBack: () => void }
function fakeNetwork(): FakeNetwork {
  const listeners = new Set<() => void>()
  const network: FakeNetwork = {
    online: true,
    isOnline: () => network.online,
    onOnline: (listener) => {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
    comeBack() {
      network.online = true
      for (const listener of listeners) listener()
    },
  }
  return network
}

let host: FakeBackupHost
let network: FakeNetwork
let auto: AutoBackup | undefined
let built = 0
/** The backups merged into this device (restored), as bytes. */
let merged: number[][] = []
let attempts = 0
let n = 0

/** The backup "file": a few bytes that differ each time it is built (the records feature builds the real one). */
const context = (): BackupContext => ({
  host: {
    hostUrl: host.url,
    fetch: (input, init) => {
      attempts++
      return host.fetch(input, init)
    },
  },
  signer: async () => signer,
  buildBackup: async () => ({ bytes: new Uint8Array([++built, 0xca, 0xfe]), records: built, createdAt: Date.now() }),
  readSummary: () => Promise.reject(new Error('not used here')),
  restore: async (bytes) => {
    merged.push(Array.from(bytes))
    return { restored: 0, alreadyPresent: 0 }
  },
})

async function start(): Promise<AutoBackup> {
  auto = createAutoBackup({ context: context(), enabledByDefault: true, network })
  await auto.settled()
  return auto
}

const statuses = () => host.requests.filter((r) => r.method === 'PUT').map((r) => r.status)
const status = () => readBackupStatus(true)

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
  merged = []
  vi.setSystemTime(new Date('2026-12-03T14:02:00Z'))
  await useDatabaseName(`auto-backup-${++n}`)
  host = createFakeBackupHost()
  network = fakeNetwork()
  built = 0
  attempts = 0
})
afterEach(async () => {
  auto?.stop()
  auto = undefined
  vi.useRealTimers()
  await closeCareKeyDb()
})

describe('the automatic backup', () => {
  it('waits for changes to pause, then uploads them once, and marks them backed up', async () => {
    const backup = await start()
    await noteLocalChange()
    await vi.advanceTimersByTimeAsync(2_000)
    await noteLocalChange()
    await vi.advanceTimersByTimeAsync(AUTO_BACKUP_DEBOUNCE_MS - 1)
    expect(backup.activity()).toBe('scheduled')
    expect(statuses()).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    await backup.settled()
    expect(statuses()).toEqual([201])
    expect(host.versions(id)).toHaveLength(1)
    expect(await status()).toMatchObject({ unsavedSince: undefined, lastUpload: { version: 1, records: 1, at: Date.now() }, failingSince: undefined })
    expect(backup.activity()).toBe('idle')
  })

  it('uploads at once at the start (an unlock) when changes were left unsaved, and not when there are none', async () => {
    await start()
    expect(attempts).toBe(0)
    auto?.stop()
    await noteLocalChange()
    await start()
    expect(statuses()).toEqual([201])
    expect((await status()).unsavedSince).toBeUndefined()
  })

  it('waits while offline and uploads when the connection comes back', async () => {
    network.online = false
    const backup = await start()
    await noteLocalChange()
    await vi.advanceTimersByTimeAsync(AUTO_BACKUP_DEBOUNCE_MS)
    await backup.settled()
    expect(backup.activity()).toBe('waiting-for-connection')
    await vi.advanceTimersByTimeAsync(10 * 60_000)
    expect(attempts).toBe(0)
    expect((await status()).failingSince).toBeUndefined() // waiting for a connection is not failing
    network.comeBack()
    await backup.settled()
    expect(statuses()).toEqual([201])
    expect(backup.activity()).toBe('idle')
  })

  it('retries with a growing delay while the host cannot be reached, and says so only in its status', async () => {
    const backup = await start()
    host.unreachable = true
    await noteLocalChange()
    await vi.advanceTimersByTimeAsync(AUTO_BACKUP_DEBOUNCE_MS)
    await backup.settled()
    expect(attempts).toBe(1)
    expect(backup.activity()).toBe('retrying')
    const failed = await status()
    expect(failed).toMatchObject({ failingSince: Date.now(), lastError: { kind: 'transient', message: new ShareHostUnreachableError().userMessage } })

    await noteLocalChange() // a change does not hurry the retry
    await vi.advanceTimersByTimeAsync(BACKUP_RETRY_FIRST_MS - 1)
    expect(attempts).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    await backup.settled()
    expect(attempts).toBe(2)
    expect((await status()).failingSince).toBe(failed.failingSince) // since the first failure

    host.unreachable = false
    await vi.advanceTimersByTimeAsync(2 * BACKUP_RETRY_FIRST_MS - 1)
    expect(attempts).toBe(2)
    await vi.advanceTimersByTimeAsync(1)
    await backup.settled()
    expect(statuses()).toEqual([201])
    expect(await status()).toMatchObject({ failingSince: undefined, lastError: undefined, unsavedSince: undefined })
    expect(backup.activity()).toBe('idle')
  })

  it('uploads again over the newest version when another device uploaded meanwhile; the older versions stay', async () => {
    const backup = await start()
    await noteLocalChange()
    await vi.advanceTimersByTimeAsync(AUTO_BACKUP_DEBOUNCE_MS)
    await backup.settled()
    const theirs = await host.uploadFromAnotherDevice(id, new Uint8Array([9, 9, 9]))
    await noteLocalChange()
    await vi.advanceTimersByTimeAsync(AUTO_BACKUP_DEBOUNCE_MS)
    await backup.settled()
    expect(statuses()).toEqual([201, 409, 201])
    // Their backup came in (merged) before this device's went up over it.
    expect(merged).toEqual([[9, 9, 9]])
    expect(host.versions(id).map((v) => v.version)).toEqual([1, theirs.version, 3])
    expect(await status()).toMatchObject({ lastUpload: { version: 3 }, unsavedSince: undefined, lastError: undefined })
  })

  it('does not replace a backup this device never restored; Back up now does', async () => {
    await host.uploadFromAnotherDevice(id, new Uint8Array([7]))
    const backup = await start()
    await noteLocalChange()
    await vi.advanceTimersByTimeAsync(AUTO_BACKUP_DEBOUNCE_MS)
    await backup.settled()
    expect(statuses()).toEqual([409])
    expect(host.versions(id).map((v) => Array.from(v.bytes))).toEqual([[7]])
    expect(await status()).toMatchObject({ lastError: { kind: 'other-device' }, unsavedSince: expect.any(Number) as unknown })
    expect(backup.activity()).toBe('idle')

    expect(await backup.backUpNow()).toMatchObject({ version: { version: 2 } })
    expect(statuses()).toEqual([409, 409, 201])
    expect(await status()).toMatchObject({ lastError: undefined, unsavedSince: undefined })
  })

  it('keeps a change made during an upload unsaved, and uploads it next', async () => {
    const backup = await start()
    await noteLocalChange()
    const first = (await readLocalChanges()).unsavedSince
    const held = host.holdNextUpload()
    await vi.advanceTimersByTimeAsync(AUTO_BACKUP_DEBOUNCE_MS)
    await held.reached
    expect(backup.activity()).toBe('uploading')
    await noteLocalChange()
    held.release()
    await backup.settled()
    // Still unsaved, and (not knowing which changes the upload caught) since the earlier time.
    expect(await status()).toMatchObject({ lastUpload: { version: 1 }, unsavedSince: first })
    expect(backup.activity()).toBe('scheduled')
    await vi.advanceTimersByTimeAsync(AUTO_BACKUP_DEBOUNCE_MS)
    await backup.settled()
    expect(statuses()).toEqual([201, 201])
    expect((await status()).unsavedSince).toBeUndefined()
  })

  it('uploads nothing while turned off, and catches up when turned on again', async () => {
    await setAutoBackupEnabled(false)
    const backup = await start()
    await noteLocalChange()
    await vi.advanceTimersByTimeAsync(10 * AUTO_BACKUP_DEBOUNCE_MS)
    await backup.settled()
    expect(attempts).toBe(0)
    expect(backup.activity()).toBe('idle')
    await setAutoBackupEnabled(true)
    backup.refresh()
    await backup.settled()
    expect(statuses()).toEqual([201])
  })

  it('stops at the lock: the upload under way is abandoned, not counted as a failure, and nothing more is tried', async () => {
    const backup = await start()
    await noteLocalChange()
    const held = host.holdNextUpload()
    await vi.advanceTimersByTimeAsync(AUTO_BACKUP_DEBOUNCE_MS)
    await held.reached
    backup.stop()
    await backup.settled()
    held.release()
    expect(await status()).toMatchObject({ failingSince: undefined, lastError: undefined, unsavedSince: expect.any(Number) as unknown })
    await noteLocalChange()
    await vi.advanceTimersByTimeAsync(10 * AUTO_BACKUP_DEBOUNCE_MS)
    expect(attempts).toBe(1)
  })
})
