import { describe, expect, it } from 'vitest'
import { privateKeyToAccount } from 'viem/accounts'
import { backupIdOf, NO_PREVIOUS_BACKUP, sha256Hex } from '../domain/backup/hostBackup.ts'
import { createFakeBackupHost } from '../test/fakeBackupHost.ts'
import {
  BackupConflictError,
  BackupDownloadDamagedError,
  BackupRefusedError,
  BackupTooLargeError,
  deleteBackups,
  downloadBackup,
  isTransientBackupFailure,
  listBackups,
  uploadBackup,
} from './backups.ts'
import { ShareHostBusyError, ShareHostReplyError, ShareHostUnreachableError, type FetchLike } from './client.ts'

const signer = privateKeyToAccount(`0x${'11'.repeat(32)}`)
const stranger = privateKeyToAccount(`0x${'22'.repeat(32)}`)
const id = backupIdOf(signer.address)
const bytes = (...values: number[]) => new Uint8Array(values)

function setUp(options: Parameters<typeof createFakeBackupHost>[0] = {}) {
  const host = createFakeBackupHost(options)
  return { host, target: { hostUrl: `${host.url}/`, fetch: host.fetch } }
}

describe('the online backup client, against a host that checks everything', () => {
  it('uploads, lists newest first, downloads exactly what it uploaded, and deletes', async () => {
    const { host, target } = setUp()
    expect(await listBackups(target, signer)).toMatchObject({ versions: [], versionsKept: 3 })
    const first = await uploadBackup(target, signer, bytes(1, 2, 3), NO_PREVIOUS_BACKUP)
    expect(first).toMatchObject({ version: 1, size: 3, sha256: await sha256Hex(bytes(1, 2, 3)) })
    const second = await uploadBackup(target, signer, bytes(4, 5), first.sha256)
    const { versions } = await listBackups(target, signer)
    expect(versions.map((v) => v.version)).toEqual([2, 1])
    expect(await downloadBackup(target, signer, second)).toEqual(bytes(4, 5))
    expect(await deleteBackups(target, signer)).toEqual({ deleted: 2 })
    expect((await listBackups(target, signer)).versions).toEqual([])
    expect(host.versions(id)).toEqual([])
  })

  it('is refused with the newest version when another device uploaded since (compare-and-swap), and keeps the host as it was', async () => {
    const { host, target } = setUp()
    const mine = await uploadBackup(target, signer, bytes(1), NO_PREVIOUS_BACKUP)
    const theirs = await host.uploadFromAnotherDevice(id, bytes(9, 9))
    const refused = uploadBackup(target, signer, bytes(2), mine.sha256)
    await expect(refused).rejects.toBeInstanceOf(BackupConflictError)
    await expect(refused).rejects.toMatchObject({ latest: theirs })
    await expect(uploadBackup(target, signer, bytes(3), NO_PREVIOUS_BACKUP)).rejects.toMatchObject({ latest: theirs })
    expect(host.versions(id).map((v) => v.version)).toEqual([1, 2])
    expect(await uploadBackup(target, signer, bytes(2), theirs.sha256)).toMatchObject({ version: 3 })
  })

  it('says a backup is too large, with the limit, before sending when the limit is known and from the host’s 413 otherwise', async () => {
    const { host, target } = setUp({ maxBytes: 4 })
    await expect(uploadBackup(target, signer, bytes(1, 2, 3, 4, 5), NO_PREVIOUS_BACKUP)).rejects.toMatchObject({ limit: 4, size: 5 })
    expect(host.requests.at(-1)).toMatchObject({ method: 'PUT', status: 413 })
    const sent = host.requests.length
    const early = uploadBackup(target, signer, bytes(1, 2, 3, 4, 5), NO_PREVIOUS_BACKUP, { maxBytes: 4 })
    await expect(early).rejects.toBeInstanceOf(BackupTooLargeError)
    await expect(early).rejects.toThrow('larger than the 4 bytes the share host accepts')
    expect(host.requests).toHaveLength(sent)
  })

  it('is refused (403) when another key signs for this backup', async () => {
    const { target } = setUp()
    // The stranger signs a request for its own id, then sends it to ours: the host sees another signer.
    const redirected: FetchLike = (input, init) => target.fetch(input.replace(backupIdOf(stranger.address), id), init)
    const refused = listBackups({ ...target, fetch: redirected }, stranger)
    await expect(refused).rejects.toBeInstanceOf(BackupRefusedError)
    await expect(refused).rejects.toMatchObject({ status: 403, userMessage: expect.stringContaining('signed by another key') as unknown })
  })

  it('is refused (401) for a signature made for another host or an expired one', async () => {
    const { target } = setUp()
    await expect(listBackups({ ...target, hostUrl: 'https://elsewhere.example.org', fetch: (input, init) => target.fetch(input.replace('elsewhere', 'share'), init) }, signer)).rejects.toMatchObject({ status: 403 })
    await expect(listBackups({ ...target, clock: () => Date.now() - 3_600_000 }, signer)).rejects.toMatchObject({ status: 401 })
  })

  it('refuses a download that is not the bytes listed: changed, cut short, or longer', async () => {
    const { host, target } = setUp()
    const stored = await uploadBackup(target, signer, bytes(1, 2, 3), NO_PREVIOUS_BACKUP)
    host.damage(id, stored.version)
    await expect(downloadBackup(target, signer, stored)).rejects.toBeInstanceOf(BackupDownloadDamagedError)
    await expect(downloadBackup(target, signer, { ...stored, size: 2 })).rejects.toThrow('longer than the 2 bytes')
    await expect(downloadBackup(target, signer, { ...stored, size: 4 })).rejects.toThrow('it has 3 bytes, not the 4 listed')
    await expect(downloadBackup(target, signer, { ...stored, version: 7 })).rejects.toThrow('The share host no longer has this online backup')
  })

  it('tells a host that cannot be reached or is busy (try later) from one that answers nonsense', async () => {
    const { host, target } = setUp()
    host.unreachable = true
    const unreachable = listBackups(target, signer)
    await expect(unreachable).rejects.toBeInstanceOf(ShareHostUnreachableError)
    expect(isTransientBackupFailure(await unreachable.catch((e: unknown) => e))).toBe(true)
    const answer = (response: Response): FetchLike => async () => response
    const busy = listBackups({ ...target, fetch: answer(new Response('{}', { status: 503, headers: { 'content-type': 'application/json' } })) }, signer)
    await expect(busy).rejects.toBeInstanceOf(ShareHostBusyError)
    const html = listBackups({ ...target, fetch: answer(new Response('<html>', { headers: { 'content-type': 'text/html' } })) }, signer)
    await expect(html).rejects.toBeInstanceOf(ShareHostReplyError)
    const older = listBackups({ ...target, fetch: answer(Response.json({ error: 'not_found' }, { status: 404 })) }, signer)
    await expect(older).rejects.toThrow('This share host does not keep online backups.')
    const wrongShape = listBackups({ ...target, fetch: answer(Response.json({ versions: [{ version: 0 }] })) }, signer)
    await expect(wrongShape).rejects.toBeInstanceOf(ShareHostReplyError)
    expect(isTransientBackupFailure(await wrongShape.catch((e: unknown) => e))).toBe(false)
  })

  it('stops a request under way when its signal aborts (the wallet locked)', async () => {
    const { target } = setUp()
    const lock = new AbortController()
    let asked: () => void = () => undefined
    const sent = new Promise<void>((resolve) => (asked = resolve))
    // Like a fetch to a host that never answers: it ends only when its signal aborts.
    const never: FetchLike = (_input, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))
        asked()
      })
    const pending = listBackups({ ...target, fetch: never, signal: lock.signal }, signer)
    await sent
    lock.abort()
    await expect(pending).rejects.toBeInstanceOf(ShareHostUnreachableError)
  })
})
