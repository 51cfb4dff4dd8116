import { randomBytes } from 'node:crypto'
import { appendFile, mkdir, readdir, readFile, rm, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { Hex } from 'viem'
import { SHARE_ID_PATTERN } from '../../../src/domain/shl/index.ts'
import { createFileAtomic, isTempFile, writeFileAtomic } from './atomicFile.ts'
import {
  FILE_ID_PATTERN,
  storedAccessSchema,
  storedShareSchema,
  type ShareStore,
  type StoredAccess,
  type StoredShare,
} from './shareStore.ts'

/** Refused when a stored record does not parse: the store never guesses at damaged data. */
export class DamagedShareRecordError extends Error {
  constructor(what: string, options?: ErrorOptions) {
    super(`A stored share record is damaged: ${what}`, options)
    this.name = 'DamagedShareRecordError'
  }
}

/** Forgotten nonces are swept at most this often. */
const NONCE_SWEEP_INTERVAL_MS = 60_000

/**
 * The share host's default store: plain files under one folder.
 *
 *   shares/<share id>/share.json        the record (atomic replace)
 *   shares/<share id>/files/<id>.jwe    ciphertext (atomic write)
 *   shares/<share id>/access.jsonl      the access log, one JSON line per entry (append)
 *   nonces/<nonce>                      used nonces (exclusive create), until they expire
 *   secrets/<name>                      the host's own random secrets
 *
 * One share host process per folder: the per-share ordering of writes lives in that process.
 */
export class LocalDiskShareStore implements ShareStore {
  private lastNonceSweep = 0

  constructor(private readonly root: string) {}

  async init(): Promise<void> {
    for (const folder of ['shares', 'nonces', 'secrets']) await mkdir(join(this.root, folder), { recursive: true, mode: 0o700 })
    await this.removeInterruptedWrites()
  }

  async readShare(id: string): Promise<StoredShare | undefined> {
    const text = await readIfExists(join(this.shareDir(id), 'share.json'))
    if (text === undefined) return undefined
    try {
      return storedShareSchema.parse(JSON.parse(text))
    } catch (cause) {
      throw new DamagedShareRecordError('share.json does not parse', { cause })
    }
  }

  async createShare(share: StoredShare): Promise<boolean> {
    await mkdir(join(this.shareDir(share.id), 'files'), { recursive: true, mode: 0o700 })
    return createFileAtomic(join(this.shareDir(share.id), 'share.json'), JSON.stringify(share))
  }

  async writeShare(share: StoredShare): Promise<void> {
    await writeFileAtomic(join(this.shareDir(share.id), 'share.json'), JSON.stringify(share))
  }

  async readFile(shareId: string, fileId: string): Promise<string | undefined> {
    return readIfExists(this.filePath(shareId, fileId))
  }

  async writeFile(shareId: string, fileId: string, jwe: string): Promise<void> {
    await mkdir(join(this.shareDir(shareId), 'files'), { recursive: true, mode: 0o700 })
    await writeFileAtomic(this.filePath(shareId, fileId), jwe)
  }

  async deleteFile(shareId: string, fileId: string): Promise<void> {
    await rm(this.filePath(shareId, fileId), { force: true })
  }

  async appendAccess(shareId: string, entry: StoredAccess): Promise<void> {
    // One short line per append (O_APPEND): concurrent appends do not interleave. A crash can
    // at worst cut the last line, which readAccessLog skips.
    await appendFile(join(this.shareDir(shareId), 'access.jsonl'), `${JSON.stringify(entry)}\n`, { mode: 0o600 })
  }

  async readAccessLog(shareId: string): Promise<StoredAccess[]> {
    const text = await readIfExists(join(this.shareDir(shareId), 'access.jsonl'))
    if (text === undefined) return []
    const entries: StoredAccess[] = []
    for (const line of text.split('\n')) {
      if (line === '') continue
      try {
        entries.push(storedAccessSchema.parse(JSON.parse(line)))
      } catch {
        // A line cut short by a crash mid-append: the entries before and after it still count.
      }
    }
    return entries
  }

  async claimNonce(nonce: Hex, expiresAt: number, now: number): Promise<boolean> {
    if (!/^0x[0-9a-f]{64}$/.test(nonce)) throw new TypeError('a nonce is 32 bytes of lowercase hex')
    await this.sweepNonces(now)
    return createFileAtomic(join(this.root, 'nonces', nonce), String(expiresAt))
  }

  async secret(name: string): Promise<Uint8Array> {
    if (!/^[a-z-]+$/.test(name)) throw new TypeError('a secret name is lowercase letters and dashes')
    const path = join(this.root, 'secrets', name)
    await createFileAtomic(path, randomBytes(32).toString('base64url'))
    const value = Buffer.from((await readFile(path, 'utf8')).trim(), 'base64url')
    if (value.length !== 32) throw new DamagedShareRecordError(`the secret ${name} is not 32 bytes`)
    return value
  }

  private async sweepNonces(now: number): Promise<void> {
    if (now - this.lastNonceSweep < NONCE_SWEEP_INTERVAL_MS) return
    this.lastNonceSweep = now
    const folder = join(this.root, 'nonces')
    for (const name of await readdir(folder)) {
      const expiresAt = Number(await readIfExists(join(folder, name)))
      // An unreadable file is kept: forgetting a nonce too early would allow a replay.
      if (Number.isFinite(expiresAt) && expiresAt > 0 && expiresAt * 1000 < now) await unlink(join(folder, name)).catch(() => undefined)
    }
  }

  private async removeInterruptedWrites(): Promise<void> {
    const shares = join(this.root, 'shares')
    for (const id of await readdir(shares)) {
      for (const folder of [join(shares, id), join(shares, id, 'files')]) {
        const names = await readdir(folder).catch(() => [])
        for (const name of names) if (isTempFile(name)) await unlink(join(folder, name)).catch(() => undefined)
      }
    }
  }

  private shareDir(id: string): string {
    // The id becomes a folder name: only the exact id shape may reach the disk.
    if (!SHARE_ID_PATTERN.test(id)) throw new TypeError('not a share id')
    return join(this.root, 'shares', id)
  }

  private filePath(shareId: string, fileId: string): string {
    if (!FILE_ID_PATTERN.test(fileId)) throw new TypeError('not a file id')
    return join(this.shareDir(shareId), 'files', `${fileId}.jwe`)
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}
