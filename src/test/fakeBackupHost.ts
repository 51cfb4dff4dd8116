import { recoverTypedDataAddress } from 'viem'
import {
  BACKUP_ID_PATTERN,
  backupRequestTypedData,
  DEFAULT_BACKUP_VERSIONS_KEPT,
  NO_PREVIOUS_BACKUP,
  parseBackupAuthorization,
  sha256Hex,
  type BackupAction,
  type BackupVersion,
} from '../domain/backup/hostBackup.ts'
import { MAX_SIGNED_REQUEST_LIFETIME_S } from '../domain/shl/signing.ts'

/**
 * An in-process share host for the online backup's unit tests, answering as the protocol
 * (src/domain/backup/hostBackup.ts) says: it checks each request's EIP-712 signature (recovered
 * with viem, and the backup id must be the signer), the body's hash, the expiry and that a nonce
 * is never used twice; an upload is a compare-and-swap on `previous`; it keeps the last few
 * versions and refuses bodies past its limit. Tests can cut it off, hold an upload midway, damage
 * a stored copy, or upload from "another device".
 */
export type FakeBackupHost = {
  readonly url: string
  /** A fetch that reaches this host (and only it). */
  readonly fetch: (input: string, init?: RequestInit) => Promise<Response>
  /** The versions kept for a backup id, oldest first. */
  versions(backupId: string): StoredVersion[]
  /** Every request answered, in order: method, path, status. */
  readonly requests: { method: string; path: string; status: number }[]
  /** While true, every request fails as a network failure does (TypeError). */
  unreachable: boolean
  /**
   * Holds the next upload once its body has arrived, until `release()`; `reached` resolves when
   * it is held.
   */
  holdNextUpload(): { reached: Promise<void>; release: () => void }
  /** Stores a version as if another device of the same wallet had uploaded it. */
  uploadFromAnotherDevice(backupId: string, bytes: Uint8Array): Promise<BackupVersion>
  /** Changes one byte of a stored version (its listed size and SHA-256 stay as they were). */
  damage(backupId: string, version: number): void
}

export type StoredVersion = BackupVersion & { bytes: Uint8Array }

export function createFakeBackupHost(options: { url?: string; versionsKept?: number; maxBytes?: number } = {}): FakeBackupHost {
  const url = options.url ?? 'https://share.example.org'
  const versionsKept = options.versionsKept ?? DEFAULT_BACKUP_VERSIONS_KEPT
  const maxBytes = options.maxBytes ?? 1_048_576
  const backups = new Map<string, StoredVersion[]>()
  const nextVersion = new Map<string, number>()
  const seenNonces = new Set<string>()
  const requests: FakeBackupHost['requests'] = []
  let hold: { reached: () => void; released: Promise<void> } | undefined

  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
  const fail = (status: number, error: string, detail?: string) => json({ error, ...(detail && { detail }) }, status)

  async function store(id: string, bytes: Uint8Array): Promise<StoredVersion> {
    const version = nextVersion.get(id) ?? 1
    nextVersion.set(id, version + 1)
    const stored: StoredVersion = { version, createdAt: new Date().toISOString(), size: bytes.length, sha256: await sha256Hex(bytes), bytes: bytes.slice() }
    backups.set(id, [...(backups.get(id) ?? []), stored].slice(-versionsKept))
    return stored
  }
  const describe = ({ version, createdAt, size, sha256 }: StoredVersion): BackupVersion => ({ version, createdAt, size, sha256 })

  async function answer(method: string, path: string, headers: Headers, body: Uint8Array): Promise<Response> {
    const route = /^\/api\/backups\/([^/]+)(?:\/versions\/(\d+))?$/.exec(path)
    if (!route?.[1] || !BACKUP_ID_PATTERN.test(route[1])) return fail(404, 'not_found')
    const id = route[1]
    const version = route[2] === undefined ? undefined : Number(route[2])
    const action: BackupAction | undefined =
      version !== undefined ? (method === 'GET' ? 'read-backup' : undefined) : ({ GET: 'list-backups', PUT: 'put-backup', DELETE: 'delete-backups' } as const)[method]
    if (!action) return fail(405, 'method_not_allowed')

    const auth = parseBackupAuthorization(headers.get('authorization') ?? undefined)
    if (!auth) return fail(401, 'unauthenticated', 'a signed Authorization header is required')
    const now = Math.floor(Date.now() / 1000)
    if (auth.expiresAt <= now || auth.expiresAt > now + MAX_SIGNED_REQUEST_LIFETIME_S) return fail(401, 'unauthenticated', 'the signature has expired')
    if (action === 'read-backup' && auth.version !== version) return fail(401, 'unauthenticated', 'the signature is for another version')
    const signer = await recoverTypedDataAddress({
      ...backupRequestTypedData(url, {
        action,
        backupId: id,
        version: action === 'read-backup' ? auth.version : undefined,
        previous: action === 'put-backup' ? (auth.previous ?? NO_PREVIOUS_BACKUP) : undefined,
        bodyHash: auth.bodyHash,
        nonce: auth.nonce,
        expiresAt: auth.expiresAt,
      }),
      signature: auth.signature,
    }).catch(() => undefined)
    if (!signer) return fail(401, 'unauthenticated', 'the signature is malformed')
    if (signer.toLowerCase() !== id) return fail(403, 'forbidden', 'signed by another key')
    if (seenNonces.has(auth.nonce)) return fail(401, 'unauthenticated', 'this request was already used')
    if (body.length > maxBytes) return fail(413, 'payload_too_large', `the request body may be at most ${maxBytes} bytes`)
    if ((await sha256Hex(body)) !== auth.bodyHash) return fail(401, 'unauthenticated', 'the body does not match its signature')
    seenNonces.add(auth.nonce)

    const kept = backups.get(id) ?? []
    const newest = kept.at(-1)
    switch (action) {
      case 'list-backups':
        return json({ versions: kept.map(describe).reverse(), versionsKept, maxBytes })
      case 'read-backup': {
        const found = kept.find((v) => v.version === version)
        if (!found) return fail(404, 'not_found')
        return new Response(found.bytes.slice(), { headers: { 'content-type': 'application/octet-stream' } })
      }
      case 'put-backup': {
        if ((auth.previous ?? NO_PREVIOUS_BACKUP) !== (newest?.sha256 ?? NO_PREVIOUS_BACKUP)) {
          return json({ error: 'backup_conflict', ...(newest && { latest: describe(newest) }) }, 409)
        }
        if (hold) {
          const held = hold
          hold = undefined
          held.reached()
          await held.released
        }
        return json(describe(await store(id, body)), 201)
      }
      case 'delete-backups':
        backups.delete(id)
        return json({ deleted: kept.length })
    }
  }

  const host: FakeBackupHost = {
    url,
    requests,
    unreachable: false,
    async fetch(input, init = {}) {
      if (host.unreachable) throw new TypeError('fetch failed')
      const target = new URL(input)
      if (target.origin !== new URL(url).origin) throw new TypeError(`the fake host is not ${target.origin}`)
      const method = init.method ?? 'GET'
      const body = init.body === undefined || init.body === null ? new Uint8Array() : new Uint8Array(await new Response(init.body).arrayBuffer())
      // Like a real fetch, it gives up when its signal aborts (the client's timeout, a lock).
      const { signal } = init
      const aborted = new Promise<never>((_resolve, reject) => {
        if (signal?.aborted) reject(new DOMException('The request was aborted', 'AbortError'))
        signal?.addEventListener('abort', () => reject(new DOMException('The request was aborted', 'AbortError')), { once: true })
      })
      aborted.catch(() => undefined)
      const response = await Promise.race([answer(method, target.pathname, new Headers(init.headers), body), aborted])
      requests.push({ method, path: target.pathname, status: response.status })
      return response
    },
    versions: (id) => [...(backups.get(id) ?? [])],
    holdNextUpload() {
      let reached: () => void = () => undefined
      let release: () => void = () => undefined
      const reachedPromise = new Promise<void>((resolve) => (reached = resolve))
      const released = new Promise<void>((resolve) => (release = resolve))
      hold = { reached, released }
      return { reached: reachedPromise, release }
    },
    uploadFromAnotherDevice: async (id, bytes) => describe(await store(id, bytes)),
    damage(id, version) {
      const found = backups.get(id)?.find((v) => v.version === version)
      if (!found) throw new Error(`no version ${version} of ${id}`)
      found.bytes[found.bytes.length - 1] = (found.bytes[found.bytes.length - 1] ?? 0) ^ 0xff
    },
  }
  return host
}
