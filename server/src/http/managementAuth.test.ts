/**
 * The management routes against abuse, over real sockets: a refused request is answered from
 * its Authorization header before its body is read, uses up no nonce, and a body changed after
 * signing is refused.
 */
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Address, Hex } from 'viem'
import type { HDAccount } from 'viem/accounts'
import { freePort } from '../../../scripts/lib/ports.ts'
import {
  encodeShareAuthorization,
  encryptShareFile,
  hashRequestBody,
  newNonce,
  newShareId,
  newShareKey,
  shareRequestTypedData,
  type NewShare,
  type ShareAction,
} from '../../../src/domain/shl/index.ts'
import { readShareAccessLog, type ShareHostTarget } from '../../../src/shareHost/client.ts'
import type { SqlDatabase } from '../storage/sql/database.ts'
import { pgliteDatabase } from '../storage/sql/pgliteDatabase.ts'
import { SqlShareStore } from '../storage/sql/sqlShareStore.ts'
import { readShareHostConfig } from '../config.ts'
import { startShareHost, type RunningShareHost } from '../serve.ts'
import { FakeGrants } from '../testing/fakeGrants.ts'
import { fakeCommitment, makeShare, postManifest, signerOf, testAccount } from '../testing/shareFixtures.ts'

const REGISTRY: Address = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const MiB = 1_048_576
const patient = testAccount(1)
const stranger = testAccount(2)

const hosts: { host: RunningShareHost; dataDir: string }[] = []
// One in-memory database for the file, started once: every test makes its own shares on it.
let db: SqlDatabase
beforeAll(async () => {
  db = await pgliteDatabase()
})
afterAll(async () => {
  for (const { host, dataDir } of hosts) {
    await host.close()
    await rm(dataDir, { recursive: true, force: true })
  }
  await db.close()
})

/** A share host listening on a free loopback port, the chain faked. */
async function startHost(env: Record<string, string> = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), 'carekey-share-host-abuse-'))
  const port = await freePort()
  const grants = new FakeGrants()
  const config = readShareHostConfig({
      CAREKEY_CHAIN_ID: '31337',
      CAREKEY_RPC_URL: 'http://127.0.0.1:9',
      CAREKEY_CONSENT_REGISTRY: REGISTRY,
      CAREKEY_SHARE_HOST_URL: `http://127.0.0.1:${port}`,
      CAREKEY_SHARE_HOST_PORT: String(port),
      CAREKEY_SHARE_HOST_DATA_DIR: dataDir,
      CAREKEY_SHARE_HOST_RATE_LIMIT: '0',
      ...env,
    })
  const store = new SqlShareStore(db, { quota: config.quota, accessLogCap: config.accessLogCap })
  const host = await startShareHost(config, { grants, store })
  hosts.push({ host, dataDir })
  const target: ShareHostTarget = { hostUrl: host.url, chainId: 31337, registry: REGISTRY }
  return {
    url: host.url,
    grants,
    target,
    /** A share of `patient` behind an active grant. */
    async share() {
      const commitment = fakeCommitment(newShareId())
      grants.set(patient.address, commitment, 'active')
      return { commitment, ...(await makeShare(target, signerOf(patient), { commitment })) }
    },
    /** Signs a request as `account` with a chosen nonce; `claimedSigner` lets a header lie about who signed. */
    async sign(
      account: HDAccount,
      request: { action: ShareAction; shareId: string; body: string; nonce?: Hex; commitment?: Hex; claimedSigner?: Address },
    ) {
      const nonce = request.nonce ?? newNonce()
      const expiresAt = Math.floor(Date.now() / 1000) + 300
      const bodyHash = await hashRequestBody(request.body)
      const signature = await account.signTypedData(
        shareRequestTypedData({ chainId: 31337, registry: REGISTRY, action: request.action, host: host.url, shareId: request.shareId, bodyHash, nonce, expiresAt }),
      )
      const newShare = request.commitment ? { shareId: request.shareId, commitment: request.commitment } : {}
      return encodeShareAuthorization({ signer: request.claimedSigner ?? account.address, nonce, expiresAt, bodyHash, ...newShare, signature })
    },
  }
}

type Reply = { status: number; error?: string; detail?: string }

/**
 * An upload over its own keep-alive connection (as a browser sends it) that announces `total`
 * bytes (or none, chunked) and sends only the first `first`: the rest waits, so a reply can
 * only come from a host that did not wait for the body.
 */
function startUpload(url: string, options: { method: string; authorization?: string; total?: number; first: number }) {
  return send(url, options, (request) => {
    if (options.first > 0) request.write(Buffer.alloc(options.first, 0x20))
    else request.flushHeaders()
  })
}

/** A whole upload, sent as fast as the connection takes it. */
async function upload(url: string, options: { method: string; authorization?: string; body: Buffer }) {
  return (await send(url, options, (request) => request.end(options.body))).status
}

function send(url: string, options: { method: string; authorization?: string; total?: number }, write: (request: ReturnType<typeof httpRequest>) => void) {
  const agent = new Agent({ keepAlive: true })
  const request = httpRequest(url, {
    method: options.method,
    agent,
    headers: {
      'content-type': 'application/json',
      ...(options.total !== undefined && { 'content-length': String(options.total) }),
      ...(options.authorization && { authorization: options.authorization }),
    },
  })
  // After its reply the host may close the connection while the client still has bytes to send.
  request.once('socket', (socket) => socket.on('error', () => undefined))
  const reply = new Promise<Reply>((resolve, reject) => {
    request.once('error', reject)
    request.once('response', (response: IncomingMessage) => {
      request.removeListener('error', reject)
      request.on('error', () => undefined)
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.once('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error?: string; detail?: string }
        resolve({ status: response.statusCode ?? 0, ...body })
      })
      response.once('error', reject)
    })
  }).finally(() => agent.destroy())
  write(request)
  return reply
}

describe('share host: a refused management request is answered before its body is read', () => {
  it('refuses a 32 MiB upload with a fake signature, or none, while the client has sent only its first 64 KiB', async () => {
    const host = await startHost()
    const shareId = newShareId()
    const commitment = fakeCommitment('an active grant of the patient')
    host.grants.set(patient.address, commitment, 'active')
    // Signed by the stranger, claiming to come from the patient.
    const forged = await host.sign(stranger, { action: 'create-share', shareId, commitment, body: 'x'.repeat(32), claimedSigner: patient.address })

    const slow = (authorization?: string) =>
      startUpload(`${host.url}/api/shares`, { method: 'POST', total: 32 * MiB, first: 64 * 1024, ...(authorization && { authorization }) })
    expect(await slow(forged)).toMatchObject({ status: 401, detail: expect.stringContaining('the signature does not match') as unknown })
    expect(await slow()).toMatchObject({ status: 401, detail: expect.stringContaining('needs an Authorization') as unknown })
    expect(await slow('CareKey not-even-base64-json')).toMatchObject({ status: 401 })
  })

  it('refuses, before the body, a stranger’s own signature on the patient’s share and a file update once the grant is revoked', async () => {
    const host = await startHost()
    const share = await host.share()
    const put = async (account: HDAccount) =>
      startUpload(`${host.url}/api/shares/${share.id}/files`, {
        method: 'PUT',
        total: 32 * MiB,
        first: 64 * 1024,
        authorization: await host.sign(account, { action: 'update-files', shareId: share.id, body: 'the files' }),
      })
    expect(await put(stranger)).toMatchObject({ status: 403, detail: 'the signer is not the patient of this share' })

    host.grants.set(patient.address, share.commitment, 'revoked')
    expect(await put(patient)).toMatchObject({ status: 409, detail: 'the grant behind this share is revoked; its files can no longer change' })
    // A new share for a grant that is not active: refused from the header too.
    const shareId = newShareId()
    const authorization = await host.sign(patient, { action: 'create-share', shareId, commitment: share.commitment, body: '{}' })
    expect(await startUpload(`${host.url}/api/shares`, { method: 'POST', total: 32 * MiB, first: 64 * 1024, authorization })).toMatchObject({
      status: 403,
      detail: 'the patient has no active grant with this commitment on chain (it is revoked)',
    })
  })

  it('keeps answering the patient and /health while four forged 32 MiB uploads are in flight', async () => {
    const host = await startHost()
    const share = await host.share()
    const body = Buffer.alloc(32 * MiB, 0x20)
    const forgeries = await Promise.all(
      Array.from({ length: 4 }, () =>
        host.sign(stranger, { action: 'update-files', shareId: share.id, body: 'x', claimedSigner: patient.address }),
      ),
    )
    const abuse = forgeries.map((authorization) => upload(`${host.url}/api/shares/${share.id}/files`, { method: 'PUT', authorization, body }))
    const [health, log] = await Promise.all([fetch(`${host.url}/health`), readShareAccessLog(host.target, signerOf(patient), share.id)])
    expect(health.status).toBe(200)
    expect(log.share.id).toBe(share.id)
    expect(await Promise.all(abuse)).toEqual([401, 401, 401, 401])
  })

  it('stops reading a signed body at the size limit, and refuses a larger Content-Length before reading at all', async () => {
    const host = await startHost({ CAREKEY_SHARE_HOST_MAX_SHARE_BYTES: '1024' })
    const share = await host.share()
    const url = `${host.url}/api/shares/${share.id}/files`
    const authorization = () => host.sign(patient, { action: 'update-files', shareId: share.id, body: 'the files' })
    const limit = 1024 + 64 * 1024
    // Chunked, no length announced: refused once past the limit, the rest never sent.
    expect(await startUpload(url, { method: 'PUT', first: limit + 1, authorization: await authorization() })).toMatchObject({ status: 413 })
    expect(await startUpload(url, { method: 'PUT', total: limit + 1, first: 0, authorization: await authorization() })).toMatchObject({ status: 413 })
  })
})

describe('share host: nonces of refused requests', () => {
  it('leaves no nonce behind when it refuses a signature, a share, a patient or a grant, and still refuses a replay', async () => {
    const host = await startHost()
    const share = await host.share()
    const send = (method: string, path: string, authorization: string, body?: string) =>
      fetch(`${host.url}${path}`, { method, headers: { authorization, 'content-type': 'application/json' }, ...(body !== undefined && { body }) })
    const readLog = (account: HDAccount, nonce: Hex, options: { shareId?: string; claimedSigner?: Address } = {}) =>
      host
        .sign(account, { action: 'read-access-log', shareId: options.shareId ?? share.id, body: '', nonce, ...options })
        .then((authorization) => send('GET', `/api/shares/${options.shareId ?? share.id}/access-log`, authorization))

    // Each refusal, then the patient's own request with the same nonce goes through.
    const forged = newNonce()
    expect((await readLog(stranger, forged, { claimedSigner: patient.address })).status).toBe(401)
    expect((await readLog(patient, forged)).status).toBe(200)

    const unknownShare = newNonce()
    expect((await readLog(patient, unknownShare, { shareId: newShareId() })).status).toBe(404)
    expect((await readLog(patient, unknownShare)).status).toBe(200)

    const notThePatient = newNonce()
    expect((await readLog(stranger, notThePatient)).status).toBe(403)
    expect((await readLog(patient, notThePatient)).status).toBe(200)

    // A grant not active yet: the very same request goes through once it is.
    const commitment = fakeCommitment('granted a moment later')
    const newShare: NewShare = {
      id: newShareId(),
      patient: patient.address,
      commitment,
      files: [{ contentType: 'application/fhir+json', jwe: await encryptShareFile('{}', newShareKey()) }],
    }
    const body = JSON.stringify(newShare)
    const create = await host.sign(patient, { action: 'create-share', shareId: newShare.id, commitment, body })
    expect((await send('POST', '/api/shares', create, body)).status).toBe(403)
    host.grants.set(patient.address, commitment, 'active')
    expect((await send('POST', '/api/shares', create, body)).status).toBe(201)
    const replay = await send('POST', '/api/shares', create, body)
    expect([replay.status, ((await replay.json()) as Reply).detail]).toEqual([401, 'this signed request was used before'])
  })
})

describe('share host: bodies changed after signing', () => {
  it('refuses a new share whose body is not the one signed, or says something else than its header, and stores nothing', async () => {
    const host = await startHost()
    const commitment = fakeCommitment('the patient’s grant')
    host.grants.set(patient.address, commitment, 'active')
    const jwe = await encryptShareFile('{}', newShareKey())
    const shareOf = (over: Partial<NewShare> = {}): NewShare => ({
      id: newShareId(),
      patient: patient.address,
      commitment,
      files: [{ contentType: 'application/fhir+json', jwe }],
      ...over,
    })
    const post = async (signed: NewShare, sent: NewShare) => {
      const authorization = await host.sign(patient, { action: 'create-share', shareId: signed.id, commitment, body: JSON.stringify(signed) })
      const response = await fetch(`${host.url}/api/shares`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify(sent),
      })
      return [response.status, ((await response.json()) as Reply).detail]
    }
    const manifest = async (id: string) => (await postManifest(fetch, `${host.url}/shl/${id}`, { recipient: 'x' })).status

    const signed = shareOf()
    // Someone in between adds a passcode the patient never chose.
    expect(await post(signed, { ...signed, passcode: '0000' })).toEqual([401, 'the body does not match its signature'])
    expect(await manifest(signed.id)).toBe(404)

    // Signed as sent, but for another grant or another share than the header names.
    const otherGrant = shareOf({ commitment: fakeCommitment('another grant') })
    expect(await post(otherGrant, otherGrant)).toEqual([400, 'the body must name the shareId and commitment of its Authorization header'])
    const inTheNameOfAnother = shareOf({ patient: stranger.address })
    expect(await post(inTheNameOfAnother, inTheNameOfAnother)).toEqual([403, 'the signer is not the patient of this share'])
    for (const share of [otherGrant, inTheNameOfAnother]) expect(await manifest(share.id)).toBe(404)

    const good = shareOf()
    expect((await post(good, good))[0]).toBe(201)
    expect(await manifest(good.id)).toBe(200)
  })
})
