import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Hex } from 'viem'
import { generatePrivateKey, privateKeyToAccount, type LocalAccount } from 'viem/accounts'
import {
  backupConflictSchema,
  backupIdOf,
  backupListSchema,
  backupRequestTypedData,
  backupVersionSchema,
  EMPTY_BODY_HASH,
  encodeBackupAuthorization,
  NO_PREVIOUS_BACKUP,
  sha256Hex,
  type BackupAction,
} from '../../../src/domain/backup/hostBackup.ts'
import { newNonce } from '../../../src/domain/shl/index.ts'
import type { SqlDatabase } from '../storage/sql/database.ts'
import { pgliteDatabase } from '../storage/sql/pgliteDatabase.ts'
import { BACKUP_METHODS, backupRequestUrl, sendBackupRequest, startBackupTestHost, type BackupTestHost } from '../testing/backupHost.ts'
import { BACKUP_SHA256_HEADER } from './backupRoutes.ts'

// One in-memory database for the file: every test uses wallets of its own (random keys).
let db: SqlDatabase
beforeAll(async () => {
  db = await pgliteDatabase()
})
afterAll(async () => {
  await db.close()
})

const newWallet = (): LocalAccount => privateKeyToAccount(generatePrivateKey())
const backupFile = (length = 2_000): Uint8Array<ArrayBuffer> => crypto.getRandomValues(new Uint8Array(length))
const json = async (response: Response) => [response.status, (await response.json()) as Record<string, unknown>] as const

/**
 * A backup request signed by hand, so that each part can be wrong: `signer` signs for backup
 * `backupId` at `host`; the header claims `claimedHash` (the signed body's hash by default).
 */
async function signedRequest(
  host: BackupTestHost,
  signer: LocalAccount,
  request: {
    action: BackupAction
    backupId?: string
    version?: number
    /** The version in the URL, when it is not the one signed. */
    urlVersion?: number
    previous?: Hex
    signedBody?: Uint8Array<ArrayBuffer>
    sentBody?: BodyInit
    expiresAt?: number
    signedForHost?: string
    headers?: Record<string, string>
  },
): Promise<Response> {
  const backupId = request.backupId ?? backupIdOf(signer.address)
  const bodyHash = request.signedBody ? await sha256Hex(request.signedBody) : EMPTY_BODY_HASH
  const nonce = newNonce()
  const expiresAt = request.expiresAt ?? Math.floor(host.clock() / 1000) + 300
  const signature = await signer.signTypedData(
    backupRequestTypedData(request.signedForHost ?? host.hostUrl, {
      action: request.action,
      backupId,
      ...(request.version !== undefined && { version: request.version }),
      ...(request.previous !== undefined && { previous: request.previous }),
      bodyHash,
      nonce,
      expiresAt,
    }),
  )
  const authorization = encodeBackupAuthorization({
    nonce,
    expiresAt,
    bodyHash,
    ...(request.previous !== undefined && { previous: request.previous }),
    ...(request.version !== undefined && { version: request.version }),
    signature,
  })
  const body = request.sentBody ?? request.signedBody
  return host.fetch(backupRequestUrl(host.hostUrl, backupId, { ...request, version: request.urlVersion ?? request.version }), {
    method: BACKUP_METHODS[request.action],
    headers: { authorization, ...(body !== undefined && { 'content-type': 'application/octet-stream' }), ...request.headers },
    ...(body !== undefined && { body, duplex: 'half' }),
  })
}

async function upload(host: BackupTestHost, wallet: LocalAccount, body: Uint8Array<ArrayBuffer>, previous: Hex = NO_PREVIOUS_BACKUP) {
  const response = await sendBackupRequest(host, wallet, { action: 'put-backup', previous, body })
  expect(response.status).toBe(201)
  return backupVersionSchema.parse(await response.json())
}

async function versionsOf(host: BackupTestHost, wallet: LocalAccount) {
  const response = await sendBackupRequest(host, wallet, { action: 'list-backups' })
  expect(response.status).toBe(200)
  return backupListSchema.parse(await response.json()).versions
}

describe('share host: online backups', () => {
  it('stores uploads as versions, lists them newest first, serves their exact bytes, and deletes them all', async () => {
    const host = await startBackupTestHost({ CAREKEY_BACKUP_VERSIONS_KEPT: '2', CAREKEY_BACKUP_MAX_BYTES: '100000' }, db)
    const wallet = newWallet()
    const emptyList = await sendBackupRequest(host, wallet, { action: 'list-backups' })
    expect([emptyList.status, emptyList.headers.get('cache-control'), backupListSchema.parse(await emptyList.json())]).toEqual([
      200,
      'no-store',
      { versions: [], versionsKept: 2, maxBytes: 100_000 },
    ])

    const files = [backupFile(), backupFile(5), backupFile(3_000)]
    const first = await upload(host, wallet, files[0]!)
    expect(first).toEqual({ version: 1, createdAt: new Date(host.clock()).toISOString(), size: 2_000, sha256: await sha256Hex(files[0]!) })
    host.advance(60)
    const second = await upload(host, wallet, files[1]!, first.sha256)
    const third = await upload(host, wallet, files[2]!, second.sha256)
    expect(await versionsOf(host, wallet)).toEqual([third, second])

    const read = await sendBackupRequest(host, wallet, { action: 'read-backup', version: 3 })
    expect([read.status, read.headers.get('content-type'), read.headers.get(BACKUP_SHA256_HEADER)]).toEqual([200, 'application/octet-stream', third.sha256])
    expect(new Uint8Array(await read.arrayBuffer())).toEqual(files[2])
    // Pruned: the host keeps two.
    expect(await json(await sendBackupRequest(host, wallet, { action: 'read-backup', version: 1 }))).toEqual([
      404,
      { error: 'not_found', detail: 'this backup has no version 1 (the host keeps the newest 2); list the versions again' },
    ])

    expect(await json(await sendBackupRequest(host, wallet, { action: 'delete-backups' }))).toEqual([200, { deleted: 2 }])
    expect(await versionsOf(host, wallet)).toEqual([])
    expect((await sendBackupRequest(host, wallet, { action: 'read-backup', version: 3 })).status).toBe(404)
    expect(await json(await sendBackupRequest(host, wallet, { action: 'delete-backups' }))).toEqual([200, { deleted: 0 }])
  })

  it('refuses an upload made from an out-of-date view with 409 and the newest version, and keeps that version', async () => {
    const host = await startBackupTestHost({}, db)
    const wallet = newWallet()
    const first = await upload(host, wallet, backupFile())
    const second = await upload(host, wallet, backupFile(), first.sha256)
    for (const previous of [NO_PREVIOUS_BACKUP, first.sha256]) {
      const stale = await sendBackupRequest(host, wallet, { action: 'put-backup', previous, body: backupFile() })
      expect(stale.status).toBe(409)
      expect(backupConflictSchema.parse(await stale.json())).toEqual({
        error: 'backup_conflict',
        detail: expect.stringMatching(/another device uploaded/) as unknown,
        latest: second,
      })
    }
    // A deleted backup: the conflict names no version.
    await sendBackupRequest(host, wallet, { action: 'delete-backups' })
    const gone = await sendBackupRequest(host, wallet, { action: 'put-backup', previous: second.sha256, body: backupFile() })
    expect(backupConflictSchema.parse(await gone.json())).toEqual({ error: 'backup_conflict', detail: expect.stringMatching(/holds no version/) as unknown })
    expect(await versionsOf(host, wallet)).toEqual([])
  })

  it('stores one of two uploads sent at once over the same version; the other gets 409', async () => {
    const host = await startBackupTestHost({}, db)
    const wallet = newWallet()
    const put = async (body: Uint8Array<ArrayBuffer>) => (await sendBackupRequest(host, wallet, { action: 'put-backup', body })).status
    const statuses = await Promise.all([put(backupFile()), put(backupFile())])
    expect(statuses.sort()).toEqual([201, 409])
    expect(await versionsOf(host, wallet)).toHaveLength(1)
  })

  it('refuses a missing, malformed, expired or far-future signature with 401, and a replayed one', async () => {
    const host = await startBackupTestHost({}, db)
    const wallet = newWallet()
    const url = `${host.hostUrl}/api/backups/${backupIdOf(wallet.address)}`
    const detail = async (response: Response) => [response.status, ((await response.json()) as { detail?: string }).detail]

    expect(await detail(await host.fetch(url))).toEqual([401, "the request needs an Authorization: CareKey-Backup … header signed by the backup's key"])
    expect((await host.fetch(url, { headers: { authorization: 'CareKey-Backup bm90IGpzb24' } })).status).toBe(401)
    expect((await host.fetch(url, { headers: { authorization: 'Bearer abc' } })).status).toBe(401)
    const now = Math.floor(host.clock() / 1000)
    expect(await detail(await signedRequest(host, wallet, { action: 'list-backups', expiresAt: now - 1 }))).toEqual([
      401,
      'the signed request has expired; sign a new one',
    ])
    expect(await detail(await signedRequest(host, wallet, { action: 'list-backups', expiresAt: now + 3600 }))).toEqual([
      401,
      'the signed request must expire within 600 seconds',
    ])
    // An upload's header must say what it replaces; a read's, the version asked for.
    const noPrevious = await signedRequest(host, wallet, { action: 'put-backup', signedBody: backupFile() })
    expect(await detail(noPrevious)).toEqual([401, expect.stringMatching(/must name `previous`/)])
    const otherVersion = await signedRequest(host, wallet, { action: 'read-backup', version: 1, urlVersion: 2 })
    expect(await detail(otherVersion)).toEqual([401, 'the Authorization header of a read must name the version read (2)'])

    // The same signed request twice: the second is refused, and stores nothing.
    let captured: RequestInit | undefined
    const body = backupFile()
    await sendBackupRequest({ ...host, fetch: (input, init) => ((captured = init), host.fetch(input, init)) }, wallet, { action: 'put-backup', body })
    const replay = await host.fetch(url, captured)
    expect(await detail(replay)).toEqual([401, 'this signed request was used before'])
    expect(await versionsOf(host, wallet)).toHaveLength(1)
  })

  it('refuses with 403 a request signed by another wallet’s key, for another host, or for an id that is not a lowercase address', async () => {
    const host = await startBackupTestHost({}, db)
    const patient = newWallet()
    const stranger = newWallet()
    const first = await upload(host, patient, backupFile())
    const backupId = backupIdOf(patient.address)
    const forbidden = async (response: Response) => {
      const [status, body] = await json(response)
      expect(status).toBe(403)
      expect(body).toEqual({
        error: 'forbidden',
        detail: expect.stringMatching(/not signed by this backup's key: a backup's id is the lowercase address/) as unknown,
      })
    }

    await forbidden(await signedRequest(host, stranger, { action: 'list-backups', backupId }))
    await forbidden(await signedRequest(host, stranger, { action: 'read-backup', backupId, version: 1 }))
    await forbidden(await signedRequest(host, stranger, { action: 'delete-backups', backupId }))
    await forbidden(await signedRequest(host, stranger, { action: 'put-backup', backupId, previous: first.sha256, signedBody: backupFile() }))
    await forbidden(await signedRequest(host, patient, { action: 'list-backups', signedForHost: 'http://other-host.test' }))
    await forbidden(await signedRequest(host, patient, { action: 'list-backups', backupId: patient.address }))
    // The patient's own signature for one action does not serve another.
    const listing = await signedRequest(host, patient, { action: 'list-backups' })
    expect(listing.status).toBe(200)

    // Nothing changed, and the stranger's own backup is empty.
    expect(await versionsOf(host, patient)).toEqual([first])
    expect(await versionsOf(host, stranger)).toEqual([])
  })

  it('refuses a body that is not the one signed, and an upload cut off midway, keeping the previous version', async () => {
    const host = await startBackupTestHost({}, db)
    const wallet = newWallet()
    const first = await upload(host, wallet, backupFile())
    const next = backupFile(4_000)

    const changed = await signedRequest(host, wallet, { action: 'put-backup', previous: first.sha256, signedBody: next, sentBody: backupFile(4_000) })
    expect(await json(changed)).toEqual([401, { error: 'unauthenticated', detail: 'the body does not match its signature' }])
    const shortened = await signedRequest(host, wallet, { action: 'put-backup', previous: first.sha256, signedBody: next, sentBody: next.slice(0, 2_000) })
    expect(await json(shortened)).toEqual([401, { error: 'unauthenticated', detail: 'the body does not match its signature' }])
    // The connection drops after half the bytes.
    const dropped = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(next.slice(0, 2_000))
        controller.error(new Error('connection reset'))
      },
    })
    const cutOff = await signedRequest(host, wallet, { action: 'put-backup', previous: first.sha256, signedBody: next, sentBody: dropped })
    expect(await json(cutOff)).toEqual([400, { error: 'invalid_request', detail: 'the request body ended before it was complete; nothing was stored' }])

    expect(await versionsOf(host, wallet)).toEqual([first])
    // The next good upload still replaces the first version.
    await upload(host, wallet, next, first.sha256)
  })

  it('refuses an upload over the size limit before reading it, one that runs past it while streaming, and one that is not octet-stream', async () => {
    const host = await startBackupTestHost({ CAREKEY_BACKUP_MAX_BYTES: '4096' }, db)
    const wallet = newWallet()
    const big = backupFile(4_097)
    let pulled = false
    const untouched = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulled = true
          controller.enqueue(big)
          controller.close()
        },
      },
      { highWaterMark: 0 },
    )
    const put = (request: { signedBody: Uint8Array<ArrayBuffer>; sentBody?: BodyInit; headers?: Record<string, string> }) =>
      signedRequest(host, wallet, { action: 'put-backup', previous: NO_PREVIOUS_BACKUP, ...request })
    const declared = await put({ signedBody: big, sentBody: untouched, headers: { 'content-length': '4097' } })
    expect(await json(declared)).toEqual([413, { error: 'payload_too_large', detail: 'a backup may be at most 4096 bytes on this host' }])
    expect(pulled).toBe(false)
    const streamed = await put({ signedBody: big })
    expect(await json(streamed)).toEqual([413, { error: 'payload_too_large', detail: 'the request body may be at most 4096 bytes' }])
    const asText = await put({ signedBody: backupFile(), headers: { 'content-type': 'text/plain' } })
    expect((await json(asText))[0]).toBe(415)

    expect(await versionsOf(host, wallet)).toEqual([])
    await upload(host, wallet, backupFile(4_096))
  })

  it('limits backup requests per client address on their own, and says when to come back', async () => {
    const host = await startBackupTestHost({ CAREKEY_BACKUP_RATE_LIMIT: '2' }, db)
    const wallet = newWallet()
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await sendBackupRequest(host, wallet, { action: 'list-backups' })).status)
    expect(statuses).toEqual([200, 200, 429])
    const limited = await sendBackupRequest(host, wallet, { action: 'list-backups' })
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await host.fetch(`${host.hostUrl}/health`)).status).toBe(200)
    host.advance(30)
    expect((await sendBackupRequest(host, wallet, { action: 'list-backups' })).status).toBe(200)
  })

  it('lets the app read the version hash across origins (CORS)', async () => {
    const host = await startBackupTestHost({}, db)
    const preflight = await host.fetch(`${host.hostUrl}/api/backups/${backupIdOf(newWallet().address)}`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.org', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization, content-type' },
    })
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PUT')
    const wallet = newWallet()
    await upload(host, wallet, backupFile())
    const fromApp = { ...host, fetch: (input: string, init?: RequestInit) => host.fetch(input, { ...init, headers: { ...init?.headers, origin: 'https://app.example.org' } }) }
    const read = await sendBackupRequest(fromApp, wallet, { action: 'read-backup', version: 1 })
    expect(read.headers.get('access-control-expose-headers')).toContain(BACKUP_SHA256_HEADER)
  })

  describe('request logs', () => {
    let lines: string[] = []
    beforeEach(() => {
      lines = []
      const capture = (...args: unknown[]) => void lines.push(args.map(String).join(' '))
      vi.spyOn(console, 'log').mockImplementation(capture)
      vi.spyOn(console, 'error').mockImplementation(capture)
      vi.spyOn(console, 'warn').mockImplementation(capture)
    })
    afterEach(() => {
      vi.restoreAllMocks()
    })

    it('carry the route pattern and status, never a backup id, a hash or a size', async () => {
      const host = await startBackupTestHost({ CAREKEY_SHARE_HOST_LOG_REQUESTS: 'true' }, db)
      const wallet = newWallet()
      const stored = await upload(host, wallet, backupFile(31_337))
      await sendBackupRequest(host, wallet, { action: 'read-backup', version: 1 })
      await sendBackupRequest(host, wallet, { action: 'put-backup', body: backupFile() })
      await sendBackupRequest(host, wallet, { action: 'delete-backups' })

      expect(lines.some((l) => /^PUT \/api\/backups\/:id 201 \d+ms$/.test(l))).toBe(true)
      expect(lines.some((l) => /^PUT \/api\/backups\/:id 409 \d+ms$/.test(l))).toBe(true)
      expect(lines.some((l) => /^GET \/api\/backups\/:id\/versions\/:version 200 \d+ms$/.test(l))).toBe(true)
      const all = lines.join('\n').toLowerCase()
      for (const secret of [backupIdOf(wallet.address), wallet.address.slice(2, 12).toLowerCase(), stored.sha256.slice(2, 18), '31337']) {
        expect(all).not.toContain(secret)
      }
    })
  })
})
