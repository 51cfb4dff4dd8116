import type { ShareStore, StoredShare } from './storage/shareStore.ts'

const MAX_CACHED_SHARES = 10_000
/** Small files (those embedded in manifests) kept in memory, up to this many bytes in all. */
const CACHED_FILE_BYTES = 32 * 1_048_576
const CACHED_FILE_MAX_BYTES = 256 * 1024

/**
 * What viewers' requests read, kept in memory for a moment so that a busy share does not cost
 * a database read per manifest. A share record is reused for `ttlMs` (the host's block time,
 * CAREKEY_SHARE_HOST_BLOCK_TTL_MS: a revocation takes effect with the next block, and a
 * deactivation on another host within the same time); 0 reads it every time. Files never
 * change under their random ids, so a small file is kept until memory runs short. Writes on
 * this host drop their share at once. Wrong passcodes are counted in the database, never here.
 */
export class ServingCache {
  private readonly shares = new Map<string, { share: Promise<StoredShare | undefined>; until: number }>()
  private readonly files = new Map<string, string>()
  private fileBytes = 0

  constructor(
    private readonly store: Pick<ShareStore, 'readShare' | 'readFile'>,
    private readonly ttlMs: number,
    private readonly clock: () => number,
  ) {}

  share(id: string): Promise<StoredShare | undefined> {
    if (this.ttlMs <= 0) return this.store.readShare(id)
    const now = this.clock()
    const hit = this.shares.get(id)
    if (hit && hit.until > now) return hit.share
    if (this.shares.size >= MAX_CACHED_SHARES) this.shares.clear()
    const share = this.store.readShare(id)
    const entry = { share, until: now + this.ttlMs }
    this.shares.set(id, entry)
    // A failed read (the database down) is not reused.
    share.catch(() => {
      if (this.shares.get(id) === entry) this.shares.delete(id)
    })
    return share
  }

  async file(shareId: string, fileId: string): Promise<string | undefined> {
    const key = `${shareId}/${fileId}`
    const hit = this.files.get(key)
    if (hit !== undefined) return hit
    const jwe = await this.store.readFile(shareId, fileId)
    if (jwe !== undefined && jwe.length <= CACHED_FILE_MAX_BYTES) {
      if (this.fileBytes + jwe.length > CACHED_FILE_BYTES) {
        this.files.clear()
        this.fileBytes = 0
      }
      this.files.set(key, jwe)
      this.fileBytes += jwe.length
    }
    return jwe
  }

  /** Drops a share this host just changed. */
  forget(id: string): void {
    this.shares.delete(id)
  }
}
