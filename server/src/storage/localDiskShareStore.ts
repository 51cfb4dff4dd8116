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
/** Share records kept in memory (write-through): a manifest request then reads no record from disk. */
const CACHED_SHARES = 10_000
/** Small files kept in memory, up to this many bytes in all: embedded files are read on every manifest. */
const CACHED_FILE_BYTES = 32 * 1_048_576
const CACHED_FILE_MAX_BYTES = 256 * 1024

/**
 * The share host's default store: plain files under one folder.
 *
 *   shares/<share id>/share.json        the record (atomic replace)
 *   shares/<share id>/files/<id>.jwe    ciphertext (atomic write)
 *   shares/<share id>/access.jsonl      the access log, one JSON line per entry (append)
 *   nonces/<nonce>                      used nonces (exclusive create), until they expire
 *   secrets/<name>                      the host's own random secrets
 *
 * One share host process per folder: the per-share ordering of writes and a write-through
 * cache of records and small files live in that process.
 */
export class LocalDiskShareStore implements ShareStore {
  private lastNonceSweep = 0
  private readonly shares = new LruCache<StoredShare>(CACHED_SHARES, () => 1)
  private readonly files = new LruCache<string>(CACHED_FILE_BYTES, (jwe) => jwe.length)
  private readonly logBatches = new Map<string, { lines: string[]; written: Promise<void> }>()

  constructor(private readonly root: string) {}

  async init(): Promise<void> {
    for (const folder of ['shares', 'nonces', 'secrets']) await mkdir(join(this.root, folder), { recursive: true, mode: 0o700 })
    await this.removeInterruptedWrites()
  }

  async readShare(id: string): Promise<StoredShare | undefined> {
    const cached = this.shares.get(id)
    if (cached) return cached
    const text = await readIfExists(join(this.shareDir(id), 'share.json'))
    if (text === undefined) return undefined
    let share: StoredShare
    try {
      share = storedShareSchema.parse(JSON.parse(text))
    } catch (cause) {
      throw new DamagedShareRecordError('share.json does not parse', { cause })
    }
    return this.shares.set(id, deepFreeze(share))
  }

  async createShare(share: StoredShare): Promise<boolean> {
    await mkdir(join(this.shareDir(share.id), 'files'), { recursive: true, mode: 0o700 })
    const created = await createFileAtomic(join(this.shareDir(share.id), 'share.json'), JSON.stringify(share))
    if (created) this.shares.set(share.id, deepFreeze(structuredClone(share)))
    return created
  }

  async writeShare(share: StoredShare): Promise<void> {
    // The cache follows the disk: dropped first, so a failed write never leaves it ahead.
    this.shares.delete(share.id)
    await writeFileAtomic(join(this.shareDir(share.id), 'share.json'), JSON.stringify(share))
    this.shares.set(share.id, deepFreeze(structuredClone(share)))
  }

  async readFile(shareId: string, fileId: string): Promise<string | undefined> {
    const path = this.filePath(shareId, fileId)
    const cached = this.files.get(path)
    if (cached !== undefined) return cached
    const jwe = await readIfExists(path)
    if (jwe !== undefined && jwe.length <= CACHED_FILE_MAX_BYTES) this.files.set(path, jwe)
    return jwe
  }

  async writeFile(shareId: string, fileId: string, jwe: string): Promise<void> {
    await mkdir(join(this.shareDir(shareId), 'files'), { recursive: true, mode: 0o700 })
    const path = this.filePath(shareId, fileId)
    this.files.delete(path)
    await writeFileAtomic(path, jwe)
  }

  async deleteFile(shareId: string, fileId: string): Promise<void> {
    const path = this.filePath(shareId, fileId)
    this.files.delete(path)
    await rm(path, { force: true })
  }

  /**
   * Entries that arrive together are written together, in one append (O_APPEND, so concurrent
   * appends never interleave); each caller resolves once its entry is written. A crash can at
   * worst cut the last line, which readAccessLog skips.
   */
  appendAccess(shareId: string, entry: StoredAccess): Promise<void> {
    const path = join(this.shareDir(shareId), 'access.jsonl')
    let batch = this.logBatches.get(path)
    if (!batch) {
      const lines: string[] = []
      const written = new Promise<void>((resolve, reject) => {
        setImmediate(() => {
          this.logBatches.delete(path)
          appendFile(path, lines.join(''), { mode: 0o600 }).then(resolve, reject)
        })
      })
      batch = { lines, written }
      this.logBatches.set(path, batch)
    }
    batch.lines.push(`${JSON.stringify(entry)}\n`)
    return batch.written
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
    // Two batches in flight can land in either order.
    return entries.sort((a, b) => a.at - b.at)
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

/** Least-recently-used entries go first once their total weight passes the budget. */
class LruCache<T> {
  private readonly entries = new Map<string, T>()
  private weight = 0

  constructor(
    private readonly budget: number,
    private readonly weigh: (value: T) => number,
  ) {}

  get(key: string): T | undefined {
    const value = this.entries.get(key)
    if (value !== undefined) {
      this.entries.delete(key)
      this.entries.set(key, value)
    }
    return value
  }

  set(key: string, value: T): T {
    this.delete(key)
    this.entries.set(key, value)
    this.weight += this.weigh(value)
    for (const [oldest, old] of this.entries) {
      if (this.weight <= this.budget) break
      this.entries.delete(oldest)
      this.weight -= this.weigh(old)
    }
    return value
  }

  delete(key: string): void {
    const value = this.entries.get(key)
    if (value === undefined) return
    this.entries.delete(key)
    this.weight -= this.weigh(value)
  }
}

/** Records handed out from the cache are shared: freezing them makes an accidental change fail loudly. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const inner of Object.values(value)) deepFreeze(inner)
  }
  return value
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}
