import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { keccak256, toHex } from 'viem'
import { newShareId } from '../../../src/domain/shl/index.ts'
import { writeFileAtomic } from './atomicFile.ts'
import { DamagedShareRecordError, LocalDiskShareStore } from './localDiskShareStore.ts'
import type { StoredShare } from './shareStore.ts'

let root: string
let store: LocalDiskShareStore

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'carekey-store-test-'))
  store = new LocalDiskShareStore(root)
  await store.init()
})
afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

const share = (id = newShareId()): StoredShare => ({
  format: 1,
  id,
  patient: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  commitment: keccak256(toHex(id)),
  status: 'active',
  createdAt: 1,
  updatedAt: 1,
  files: [],
})

describe('local disk share store', () => {
  it('creates a share once: a second create with the same id changes nothing', async () => {
    const first = share()
    expect(await store.createShare(first)).toBe(true)
    expect(await store.createShare({ ...first, status: 'deactivated' })).toBe(false)
    expect(await store.readShare(first.id)).toEqual(first)
    expect(await store.readShare(newShareId())).toBeUndefined()
  })

  it('replaces a file whole under many concurrent writers: the result is one complete version, never a mix', async () => {
    const path = join(root, 'contended.txt')
    const versions = Array.from({ length: 20 }, (_, i) => String(i).repeat(200_000))
    await Promise.all(versions.map((v) => writeFileAtomic(path, v)))
    expect(versions).toContain(await readFile(path, 'utf8'))
    expect((await readdir(root)).filter((n) => n.endsWith('.tmp'))).toEqual([])
  })

  it('ignores and cleans up the temporary file of a write that was cut short by a crash', async () => {
    const kept = share()
    await store.createShare(kept)
    // What a crash between writing the temporary file and renaming it leaves behind.
    await writeFile(join(root, 'shares', kept.id, '.share.json.ab12cd.tmp'), '{"format":1,"id":"half')
    expect(await store.readShare(kept.id)).toEqual(kept)
    await new LocalDiskShareStore(root).init()
    expect(await readdir(join(root, 'shares', kept.id))).toEqual(['files', 'share.json'])
  })

  it('refuses a record damaged on disk (read after a restart) rather than guessing', async () => {
    const damaged = share()
    await store.createShare(damaged)
    await writeFile(join(root, 'shares', damaged.id, 'share.json'), '{"format":1,"id":')
    await expect(new LocalDiskShareStore(root).readShare(damaged.id)).rejects.toBeInstanceOf(DamagedShareRecordError)
  })

  it('hands out records that cannot be changed by accident, and reads back what it wrote', async () => {
    const first = share()
    await store.createShare(first)
    const read = await store.readShare(first.id)
    expect(() => {
      if (read) (read as { status: string }).status = 'deactivated'
    }).toThrow(TypeError)
    await store.writeShare({ ...first, status: 'locked' })
    expect((await store.readShare(first.id))?.status).toBe('locked')
    expect((await new LocalDiskShareStore(root).readShare(first.id))?.status).toBe('locked')
  })

  it('writes entries that arrive together into the log in one go, each caller waiting for its own', async () => {
    const logged = share()
    await store.createShare(logged)
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.appendAccess(logged.id, { at: i, recipient: `r${i}`, outcome: 'opened' })))
    const lines = (await readFile(join(root, 'shares', logged.id, 'access.jsonl'), 'utf8')).trim().split('\n')
    expect(lines).toHaveLength(50)
    expect((await store.readAccessLog(logged.id)).map((e) => e.at)).toEqual(Array.from({ length: 50 }, (_, i) => i))
  })

  it('reads the access log back in order, skipping a last line cut short by a crash', async () => {
    const logged = share()
    await store.createShare(logged)
    await store.appendAccess(logged.id, { at: 1, recipient: 'Dr. Ada Lovelace', outcome: 'opened' })
    await store.appendAccess(logged.id, { at: 2, recipient: 'Dr. Grace Hopper', outcome: 'wrong-passcode' })
    await appendFile(join(root, 'shares', logged.id, 'access.jsonl'), '{"at":3,"recip')
    expect((await store.readAccessLog(logged.id)).map((e) => e.recipient)).toEqual(['Dr. Ada Lovelace', 'Dr. Grace Hopper'])
  })

  it('accepts a nonce once, also across a restart, and forgets it only after it expired', async () => {
    const nonce = keccak256(toHex('nonce'))
    const now = 1_800_000_000_000
    expect(await store.claimNonce(nonce, 1_800_000_300, now)).toBe(true)
    expect(await store.claimNonce(nonce, 1_800_000_300, now)).toBe(false)
    const restarted = new LocalDiskShareStore(root)
    await restarted.init()
    expect(await restarted.claimNonce(nonce, 1_800_000_300, now + 200_000)).toBe(false)
    // After expiry the sweep may forget it; a request signed with it is refused as expired anyway.
    expect(await restarted.claimNonce(keccak256(toHex('other')), 1_800_001_000, now + 400_000)).toBe(true)
    expect(await readdir(join(root, 'nonces'))).not.toContain(nonce)
  })

  it('keeps one secret per name across restarts', async () => {
    const secret = await store.secret('file-locations')
    expect(secret).toHaveLength(32)
    expect(await new LocalDiskShareStore(root).secret('file-locations')).toEqual(secret)
  })

  it('never turns an id into a path outside its folder', async () => {
    await expect(store.readShare('../../etc/passwd')).rejects.toThrow(TypeError)
    await expect(store.readFile(newShareId(), '../share')).rejects.toThrow(TypeError)
  })
})
