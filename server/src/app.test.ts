import { randomBytes } from 'node:crypto'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { stringToHex, type Address } from 'viem'
import {
  createShare,
  deactivateShare,
  fetchShareGrant,
  openShareLink,
  readShareAccessLog,
  ShareHostRefusedError,
  ShareLockedError,
  ShareNotAvailableError,
  updateShareFiles,
  type ShareHostTarget,
} from '../../src/shareHost/client.ts'
import {
  decodeShlink,
  encryptShareFile,
  encryptShareGrant,
  MAX_SHARE_GRANT_LENGTH,
  newShareKey,
  type ShareGrant,
  hashRequestBody,
  newShareId,
  shareRequestTypedData,
  encodeShareAuthorization,
  signRecipientProof,
  newNonce,
  type ShlManifest,
} from '../../src/domain/shl/index.ts'
import { createShareHostApp } from './app.ts'
import type { GrantPeriod } from './chain/grantStatus.ts'
import { readShareHostConfig } from './config.ts'
import { StorageUnavailableError, type SqlDatabase } from './storage/sql/database.ts'
import { pgliteDatabase } from './storage/sql/pgliteDatabase.ts'
import { SqlShareStore } from './storage/sql/sqlShareStore.ts'
import { FakeGrants } from './testing/fakeGrants.ts'
import { fakeCommitment, makeShare, postManifest, sampleBundle, signerOf, testAccount } from './testing/shareFixtures.ts'

const REGISTRY: Address = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const HOST = 'http://share.test'
const patient = testAccount(1)
const stranger = testAccount(2)
const clinician = testAccount(3)

// One in-memory database for the file: every test makes its own shares (random ids) on it.
let db: SqlDatabase
beforeAll(async () => {
  db = await pgliteDatabase()
})
afterAll(async () => {
  await db.close()
})

async function startHost(env: Record<string, string> = {}, database = db) {
  const config = readShareHostConfig({
    CAREKEY_CHAIN_ID: '31337',
    CAREKEY_RPC_URL: 'http://127.0.0.1:9',
    CAREKEY_CONSENT_REGISTRY: REGISTRY,
    CAREKEY_SHARE_HOST_URL: HOST,
    CAREKEY_SHARE_HOST_RATE_LIMIT: '0',
    // All tests share one patient and one database: only the quota test sets a small quota.
    CAREKEY_SHARE_HOST_MAX_SHARES_PER_PATIENT: '100000',
    ...env,
  })
  let now = Date.now()
  const clock = () => now
  const grants = new FakeGrants(clock)
  const store = new SqlShareStore(database, { quota: config.quota, accessLogCap: config.accessLogCap })
  const app = createShareHostApp(config, { grants, clock, store })
  const fetchImpl = (input: string, init?: RequestInit) => Promise.resolve(app.request(input, init))
  const target: ShareHostTarget = { hostUrl: HOST, chainId: 31337, registry: REGISTRY, fetch: fetchImpl, clock }
  return {
    app,
    config,
    store,
    grants,
    fetch: fetchImpl,
    target,
    advance: (seconds: number) => {
      now += seconds * 1000
    },
    /** A share of `patient` behind an active grant. */
    async share(options: { passcode?: string; expiresAt?: number; bundle?: Record<string, unknown>; grantPeriod?: GrantPeriod } = {}) {
      const commitment = fakeCommitment(newShareId())
      grants.set(patient.address, commitment, 'active', options.grantPeriod)
      return { commitment, ...(await makeShare(target, signerOf(patient), { commitment, ...options })) }
    },
  }
}

describe('share host: manifests and files', () => {
  it('serves a manifest with the file embedded, and the same ciphertext at a location when asked not to embed', async () => {
    const host = await startHost()
    const share = await host.share()

    const embedded = await postManifest(host.fetch, share.manifestUrl, { recipient: 'Dr. Ada Lovelace' })
    expect(embedded.status).toBe(200)
    expect(embedded.headers.get('content-type')).toMatch(/^application\/json/)
    const manifest = (await embedded.json()) as ShlManifest
    expect(manifest.files).toEqual([
      { contentType: 'application/fhir+json', fhirVersion: '4.0.1', lastUpdated: expect.any(String) as unknown, embedded: share.jwe },
    ])

    const linked = (await (await postManifest(host.fetch, share.manifestUrl, { recipient: 'Dr. Ada Lovelace', embeddedLengthMax: 0 })).json()) as ShlManifest
    const location = linked.files[0]?.location
    expect(location).toMatch(new RegExp(`^${HOST}/shl/${share.id}/files/[A-Za-z0-9_-]{22}\\?exp=\\d+&sig=[A-Za-z0-9_-]{43}$`))
    const file = await host.fetch(location ?? '')
    expect(file.status).toBe(200)
    expect(file.headers.get('content-type')).toBe('application/jose')
    expect(await file.text()).toBe(share.jwe)
  })

  it('lets a viewer open the link and get the bundle back, and logs the open for the patient without the file', async () => {
    const host = await startHost()
    const share = await host.share()
    const { files } = await openShareLink(decodeShlink(share.link).payload, { recipient: 'Dr. Ada Lovelace', fetch: host.fetch })
    expect(files).toMatchObject([{ contentType: 'application/fhir+json', content: share.bundle }])

    const log = await readShareAccessLog(host.target, signerOf(patient), share.id)
    expect(log.entries).toEqual([{ at: expect.any(String) as unknown, recipient: 'Dr. Ada Lovelace', outcome: 'opened' }])
    expect(log.share).toMatchObject({ id: share.id, status: 'active', passcode: { required: false } })
  })

  it('answers 404 for an unknown or malformed link, a revoked or expired grant, and a share past its own expiry', async () => {
    const host = await startHost()
    const status = async (url: string) => (await postManifest(host.fetch, url, { recipient: 'Dr. Ada Lovelace' })).status

    expect(await status(`${HOST}/shl/${newShareId()}`)).toBe(404)
    expect(await status(`${HOST}/shl/not-a-share-id`)).toBe(404)

    const revoked = await host.share()
    host.grants.set(patient.address, revoked.commitment, 'revoked')
    expect(await status(revoked.manifestUrl)).toBe(404)

    const expiredGrant = await host.share()
    host.grants.set(patient.address, expiredGrant.commitment, 'expired')
    expect(await status(expiredGrant.manifestUrl)).toBe(404)

    const shortLived = await host.share({ expiresAt: Math.floor(Date.now() / 1000) + 60 })
    expect(await status(shortLived.manifestUrl)).toBe(200)
    host.advance(61)
    expect(await status(shortLived.manifestUrl)).toBe(404)
  })

  it('issues file locations that stop working when they expire, when changed, or when the grant is revoked', async () => {
    const host = await startHost({ CAREKEY_SHARE_HOST_FILE_URL_TTL: '600' })
    const share = await host.share()
    const manifest = async () =>
      ((await (await postManifest(host.fetch, share.manifestUrl, { recipient: 'Dr. Ada Lovelace', embeddedLengthMax: 0 })).json()) as ShlManifest).files[0]
        ?.location ?? ''

    const location = await manifest()
    const expiresAt = Number(new URL(location).searchParams.get('exp'))
    expect(expiresAt * 1000 - Date.now()).toBeLessThanOrEqual(3600 * 1000)
    host.advance(599)
    expect((await host.fetch(location)).status).toBe(200)
    host.advance(2)
    const expired = await host.fetch(location)
    expect([expired.status, ((await expired.json()) as { error: string }).error]).toEqual([404, 'location_expired'])

    const fresh = await manifest()
    expect((await host.fetch(fresh.replace(/exp=\d+/, `exp=${expiresAt + 10_000}`))).status).toBe(404)
    host.grants.set(patient.address, share.commitment, 'revoked')
    expect((await host.fetch(fresh)).status).toBe(404)
  })

  it('refuses a file-location lifetime over an hour in its configuration', () => {
    expect(() =>
      readShareHostConfig({ CAREKEY_CHAIN_ID: '1', CAREKEY_RPC_URL: 'http://x', CAREKEY_CONSENT_REGISTRY: REGISTRY, CAREKEY_SHARE_HOST_FILE_URL_TTL: '3601' }),
    ).toThrow(/CAREKEY_SHARE_HOST_FILE_URL_TTL: must be at most 3600 seconds/)
  })

  it('serves a one-file share without passcode directly by GET, for links with flag U', async () => {
    const host = await startHost()
    const share = await host.share()
    const response = await host.fetch(`${share.manifestUrl}?recipient=${encodeURIComponent('Front desk')}`)
    expect([response.status, response.headers.get('content-type'), await response.text()]).toEqual([200, 'application/jose', share.jwe])
    const { files } = await openShareLink({ ...decodeShlink(share.link).payload, flags: ['U'] }, { recipient: 'Front desk', fetch: host.fetch })
    expect(files[0]?.content).toEqual(share.bundle)
    expect((await host.fetch(share.manifestUrl)).status).toBe(400)
    const withPasscode = await host.share({ passcode: '2468' })
    expect((await host.fetch(`${withPasscode.manifestUrl}?recipient=x`)).status).toBe(405)
  })
})

describe('share host: the grant beside the manifest', () => {
  /** A grant as the app stores it beside a share (the host only ever sees it encrypted). */
  const grantOf = (commitment: `0x${string}`): ShareGrant => ({
    chainId: 31337,
    registry: REGISTRY,
    terms: {
      patient: patient.address,
      grantee: commitment,
      scopeHash: commitment,
      purpose: stringToHex('TREAT', { size: 32 }),
      validFrom: 1n,
      validUntil: 2n ** 40n,
      dataHash: commitment,
      salt: commitment,
    },
    label: 'For Dr. Lovelace',
  })
  const grantShare = async (host: Awaited<ReturnType<typeof startHost>>, options: { passcode?: string } = {}) => {
    const commitment = fakeCommitment(newShareId())
    host.grants.set(patient.address, commitment, 'active')
    const grant = grantOf(commitment)
    return { grant, commitment, ...(await makeShare(host.target, signerOf(patient), { commitment, grant, ...options })) }
  }
  const grantUrl = (manifestUrl: string) => `${manifestUrl}/grant`

  it('serves it to anyone by GET, without the passcode, counting no attempt and logging nothing; the link key opens it', async () => {
    const host = await startHost()
    const share = await grantShare(host, { passcode: '2468' })
    const reply = await host.fetch(grantUrl(share.manifestUrl))
    expect(reply.status).toBe(200)
    expect(reply.headers.get('content-type')).toBe('application/jose')
    expect(reply.headers.get('cache-control')).toBe('no-store')
    expect(reply.headers.get('access-control-allow-origin')).toBe('*')
    const jwe = await reply.text()
    expect(jwe).not.toContain('Lovelace')
    expect(await fetchShareGrant(decodeShlink(share.link).payload, { fetch: host.fetch })).toEqual(share.grant)

    const log = await readShareAccessLog(host.target, signerOf(patient), share.id)
    expect(log.entries).toEqual([])
    expect(log.share.passcode).toEqual({ required: true, remainingAttempts: 10 })
  })

  it('keeps serving it once the share is stopped, its consent revoked or its passcode locked, so a viewer can say which', async () => {
    const host = await startHost({ CAREKEY_SHARE_HOST_PASSCODE_ATTEMPTS: '1' })
    const stopped = await grantShare(host)
    await deactivateShare(host.target, signerOf(patient), stopped.id)
    const revoked = await grantShare(host)
    host.grants.set(patient.address, revoked.commitment, 'revoked')
    const locked = await grantShare(host, { passcode: '2468' })
    expect((await postManifest(host.fetch, locked.manifestUrl, { recipient: 'A guess', passcode: '0000' })).status).toBe(401)
    expect((await postManifest(host.fetch, locked.manifestUrl, { recipient: 'A guess', passcode: '2468' })).status).toBe(404)
    for (const share of [stopped, revoked, locked]) {
      expect((await postManifest(host.fetch, share.manifestUrl, { recipient: 'Dr. Ada Lovelace' })).status).toBe(404)
      expect(await fetchShareGrant(decodeShlink(share.link).payload, { fetch: host.fetch })).toEqual(share.grant)
    }
  })

  it('answers 404 for an unknown or malformed share id, and for a share stored without a grant (made before)', async () => {
    const host = await startHost()
    const before = await host.share()
    for (const url of [grantUrl(`${HOST}/shl/${newShareId()}`), grantUrl(`${HOST}/shl/not-a-share-id`), grantUrl(before.manifestUrl)]) {
      const reply = await host.fetch(url)
      expect([reply.status, ((await reply.json()) as { error: string }).error]).toEqual([404, 'not_found'])
    }
  })

  it('refuses a share whose grant is not one (plaintext, a share file) or too large, and stores none of it', async () => {
    const host = await startHost()
    const commitment = fakeCommitment(newShareId())
    host.grants.set(patient.address, commitment, 'active')
    const key = newShareKey()
    const files = [{ contentType: 'application/fhir+json' as const, jwe: await encryptShareFile(JSON.stringify(sampleBundle()), key) }]
    const refusal = async (grant: string) => {
      const id = newShareId()
      const error: unknown = await createShare(host.target, signerOf(patient), { id, patient: patient.address, commitment, files, grant }).catch((e: unknown) => e)
      expect(await host.store.readShare(id)).toBeUndefined()
      return error
    }
    const plaintext = JSON.stringify({ v: 1, chainId: 31337, registry: REGISTRY })
    expect(await refusal(plaintext)).toMatchObject({ status: 400, code: 'invalid_request', message: expect.stringContaining('grant: it is not a JWE in compact form') as unknown })
    expect(await refusal(files[0]?.jwe ?? '')).toMatchObject({ status: 400, message: expect.stringContaining('not as a CareKey consent') as unknown })
    const large = `${(await encryptShareGrant(grantOf(commitment), key)).slice(0, -22)}${'A'.repeat(MAX_SHARE_GRANT_LENGTH)}`
    expect(await refusal(large)).toMatchObject({ status: 413, code: 'payload_too_large', message: expect.stringContaining(`at most ${MAX_SHARE_GRANT_LENGTH} characters`) as unknown })
  })
})

describe('share host: passcodes', () => {
  it('counts wrong passcodes over the link’s life, does not count a missing one, and opens with the right one', async () => {
    const host = await startHost()
    const share = await host.share({ passcode: '2468' })
    const payload = decodeShlink(share.link).payload
    const open = (passcode?: string) =>
      openShareLink(payload, { recipient: 'Dr. Ada Lovelace', fetch: host.fetch, ...(passcode !== undefined && { passcode }) })

    await expect(open()).rejects.toMatchObject({ remainingAttempts: 10, passcodeGiven: false })
    await expect(open('1111')).rejects.toMatchObject({ remainingAttempts: 9, passcodeGiven: true })
    await expect(open('2222')).rejects.toMatchObject({ remainingAttempts: 8 })
    expect((await open('2468')).files[0]?.content).toEqual(share.bundle)
    // The right passcode does not reset the lifetime count.
    await expect(open('3333')).rejects.toMatchObject({ remainingAttempts: 7 })

    const wrong = await postManifest(host.fetch, share.manifestUrl, { recipient: 'x', passcode: '0000' })
    expect([wrong.status, await wrong.json()]).toEqual([401, { error: 'wrong_passcode', detail: expect.any(String) as unknown, remainingAttempts: 6 }])
  })

  it('holds the lifetime count exactly under 20 parallel wrong guesses, then the link is dead even for the right passcode', async () => {
    const host = await startHost()
    const share = await host.share({ passcode: '2468' })
    const replies = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const response = await postManifest(host.fetch, share.manifestUrl, { recipient: `guess ${i}`, passcode: `wrong-${i}` })
        return { status: response.status, body: (await response.json()) as { remainingAttempts?: number } }
      }),
    )
    const remaining = replies.filter((r) => r.status === 401).map((r) => r.body.remainingAttempts)
    expect(remaining.sort((a = 0, b = 0) => b - a)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0])
    expect(replies.filter((r) => r.status === 404)).toHaveLength(10)

    const locked = await postManifest(host.fetch, share.manifestUrl, { recipient: 'x', passcode: '2468' })
    expect([locked.status, ((await locked.json()) as { error: string }).error]).toEqual([404, 'share_locked'])
    // The viewer tells the clinician the link is locked, not that the consent may have ended.
    await expect(
      openShareLink(decodeShlink(share.link).payload, { recipient: 'x', passcode: '2468', fetch: host.fetch }),
    ).rejects.toBeInstanceOf(ShareLockedError)
    const { share: status, entries } = await readShareAccessLog(host.target, signerOf(patient), share.id)
    expect(status).toMatchObject({ status: 'locked', passcode: { required: true, remainingAttempts: 0 } })
    expect(entries.filter((e) => e.outcome === 'wrong-passcode')).toHaveLength(10)
  })

  it('keeps only a slow hash of the passcode in its database, never the passcode or the plaintext', async () => {
    // A database of its own: other tests log recipients' names, which the host does keep.
    const own = await pgliteDatabase()
    const host = await startHost({}, own)
    const share = await host.share({ passcode: 'correct-horse-2468' })
    const [record] = await own.query<{ passcode: unknown }>('SELECT passcode FROM shares WHERE id = $1', [share.id])
    expect(record?.passcode).toMatchObject({ algorithm: 'scrypt', N: 32768 })
    const everything = await dumpDatabase(own)
    await own.close()
    expect(everything).toContain(share.id)
    expect(everything).not.toContain('correct-horse-2468')
    expect(everything).not.toContain('Lovelace')
    expect(everything).not.toContain('Penicillin')
    expect(everything).not.toContain(share.key)
  })
})

describe('share host: signed management', () => {
  it('refuses a replayed request, an expired one, a changed body and a missing signature', async () => {
    const host = await startHost()
    const share = await host.share()
    const body = JSON.stringify({ files: [{ contentType: 'application/fhir+json', jwe: await encryptShareFile('{}', share.key) }] })
    /** The patient signs `signed` (the body by default); the header claims the hash of `claimed` (what was signed by default). */
    const sign = async (over: { expiresAt?: number; signed?: string; claimed?: string } = {}) => {
      const nonce = newNonce()
      const expiresAt = over.expiresAt ?? Math.floor(Date.now() / 1000) + 300
      const signature = await patient.signTypedData(
        shareRequestTypedData({
          chainId: 31337,
          registry: REGISTRY,
          action: 'update-files',
          host: HOST,
          shareId: share.id,
          bodyHash: await hashRequestBody(over.signed ?? body),
          nonce,
          expiresAt,
        }),
      )
      const bodyHash = await hashRequestBody(over.claimed ?? over.signed ?? body)
      return encodeShareAuthorization({ signer: patient.address, nonce, expiresAt, bodyHash, signature })
    }
    const put = (authorization: string | undefined) =>
      host.fetch(`${HOST}/api/shares/${share.id}/files`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...(authorization && { authorization }) },
        body,
      })
    const detail = async (response: Response) => [response.status, ((await response.json()) as { detail?: string }).detail]

    const authorization = await sign()
    expect((await put(authorization)).status).toBe(200)
    expect(await detail(await put(authorization))).toEqual([401, 'this signed request was used before'])
    expect(await detail(await put(await sign({ expiresAt: Math.floor(Date.now() / 1000) - 1 })))).toEqual([
      401,
      'the signed request has expired; sign a new one',
    ])
    expect(await detail(await put(await sign({ expiresAt: Math.floor(Date.now() / 1000) + 3600 })))).toEqual([
      401,
      'the signed request must expire within 600 seconds',
    ])
    // Signed for another body: the signature holds for what it claims, the body sent is not that.
    expect(await detail(await put(await sign({ signed: `${body} ` })))).toEqual([401, 'the body does not match its signature'])
    // The header claims the body sent, but the signature was made over another one.
    expect(await detail(await put(await sign({ signed: `${body} `, claimed: body })))).toEqual([
      401,
      `the signature does not match this request and signer (it must be signed for host ${HOST}, chain 31337)`,
    ])
    expect((await put(undefined)).status).toBe(401)
  })

  it('refuses a signer who is not the patient of the share, and a share for a grant that is not active', async () => {
    const host = await startHost()
    const share = await host.share()
    await expect(deactivateShare(host.target, signerOf(stranger), share.id)).rejects.toMatchObject({ status: 403, code: 'forbidden' })
    await expect(readShareAccessLog(host.target, signerOf(stranger), share.id)).rejects.toBeInstanceOf(ShareHostRefusedError)

    // A stranger cannot make a share in the patient's name, nor for a grant that is not theirs.
    const commitment = fakeCommitment('granted by the patient')
    host.grants.set(patient.address, commitment, 'active')
    await expect(makeShare(host.target, signerOf(stranger), { commitment, patientAddress: patient.address })).rejects.toMatchObject({ status: 403 })
    await expect(makeShare(host.target, signerOf(stranger), { commitment })).rejects.toMatchObject({
      status: 403,
      message: expect.stringContaining('it is unknown') as unknown,
    })
    host.grants.set(patient.address, commitment, 'revoked')
    await expect(makeShare(host.target, signerOf(patient), { commitment })).rejects.toMatchObject({ status: 403 })
  })

  it('replaces the files: the manifest serves the new bundle and the old location is gone', async () => {
    const host = await startHost()
    const share = await host.share()
    const before = ((await (await postManifest(host.fetch, share.manifestUrl, { recipient: 'x', embeddedLengthMax: 0 })).json()) as ShlManifest).files[0]
    const updated = sampleBundle('Peanuts')
    const status = await updateShareFiles(host.target, signerOf(patient), share.id, [
      { contentType: 'application/fhir+json', jwe: await encryptShareFile(JSON.stringify(updated), share.key) },
    ])
    expect(status.files).toHaveLength(1)
    expect((await host.fetch(before?.location ?? '')).status).toBe(404)
    const { files } = await openShareLink(decodeShlink(share.link).payload, { recipient: 'x', fetch: host.fetch })
    expect(files[0]?.content).toEqual(updated)
  })

  it('deactivates a share: 404 from then on, its files deleted, its log still readable, twice is fine', async () => {
    const host = await startHost()
    const share = await host.share()
    await openShareLink(decodeShlink(share.link).payload, { recipient: 'Dr. Ada Lovelace', fetch: host.fetch })
    const fileIds = (await host.store.readShare(share.id))?.files.map((f) => f.id) ?? []
    expect(fileIds).toHaveLength(1)
    expect((await deactivateShare(host.target, signerOf(patient), share.id)).status).toBe('deactivated')
    const stopped = await openShareLink(decodeShlink(share.link).payload, { recipient: 'x', fetch: host.fetch }).catch((error: unknown) => error)
    expect(stopped).toBeInstanceOf(ShareNotAvailableError)
    expect(stopped).not.toBeInstanceOf(ShareLockedError)
    for (const file of fileIds) expect(await host.store.readFile(share.id, file)).toBeUndefined()
    expect((await deactivateShare(host.target, signerOf(patient), share.id)).status).toBe('deactivated')
    const log = await readShareAccessLog(host.target, signerOf(patient), share.id)
    expect(log.entries.map((e) => e.recipient)).toEqual(['Dr. Ada Lovelace'])
    await expect(
      updateShareFiles(host.target, signerOf(patient), share.id, [{ contentType: 'application/fhir+json', jwe: share.jwe }]),
    ).rejects.toMatchObject({ status: 409, code: 'share_inactive' })
  })

  it('refuses uploads that are not SMART Health Links ciphertext, a reused id, and shares over the size limit', async () => {
    const host = await startHost({ CAREKEY_SHARE_HOST_MAX_SHARE_BYTES: '4096' })
    const share = await host.share()
    const upload = (jwe: string) => updateShareFiles(host.target, signerOf(patient), share.id, [{ contentType: 'application/fhir+json', jwe }])
    await expect(upload(JSON.stringify(sampleBundle()))).rejects.toMatchObject({ status: 400, message: expect.stringContaining('not a JWE') as unknown })
    const smartHealthCard = await encryptShareFile('{}', share.key, { contentType: 'application/smart-health-card' })
    await expect(upload(smartHealthCard)).rejects.toMatchObject({ status: 400, message: expect.stringContaining('cty') as unknown })
    const big = await encryptShareFile(crypto.getRandomValues(new Uint8Array(4000)), share.key, { compress: false })
    await expect(upload(big)).rejects.toMatchObject({ status: 413 })
    await expect(
      createShare(host.target, signerOf(patient), {
        id: share.id,
        patient: patient.address,
        commitment: share.commitment,
        files: [{ contentType: 'application/fhir+json', jwe: share.jwe }],
      }),
    ).rejects.toMatchObject({ status: 409, code: 'share_exists' })
  })
})

describe('share host: quotas, grant periods and the capped log', () => {
  it('refuses a share past the quota of its grant with a reason, and frees it when a share is stopped', async () => {
    const host = await startHost({ CAREKEY_SHARE_HOST_MAX_SHARES_PER_GRANT: '2' })
    const commitment = fakeCommitment(newShareId())
    host.grants.set(patient.address, commitment, 'active')
    const first = await makeShare(host.target, signerOf(patient), { commitment })
    await makeShare(host.target, signerOf(patient), { commitment })
    await expect(makeShare(host.target, signerOf(patient), { commitment })).rejects.toMatchObject({
      status: 403,
      code: 'quota_exceeded',
      message: expect.stringMatching(/already has 2 active shares/) as unknown,
      hint: expect.stringMatching(/Stop sharing an older QR code/) as unknown,
    })
    await deactivateShare(host.target, signerOf(patient), first.id)
    await expect(makeShare(host.target, signerOf(patient), { commitment })).resolves.toMatchObject({ id: expect.any(String) as unknown })
  })

  it('refuses bytes past the quota of a patient address, counting every grant of it', async () => {
    const patientOfMany = testAccount(5)
    const host = await startHost({ CAREKEY_SHARE_HOST_MAX_BYTES_PER_PATIENT: '4096', CAREKEY_SHARE_HOST_MAX_SHARES_PER_PATIENT: '50' })
    // Random text, so that the file's compression cannot shrink it: about 3 kB of ciphertext.
    const big = { resourceType: 'Bundle', type: 'collection', note: randomBytes(2_000).toString('base64') }
    const grant = () => {
      const commitment = fakeCommitment(newShareId())
      host.grants.set(patientOfMany.address, commitment, 'active')
      return commitment
    }
    await makeShare(host.target, signerOf(patientOfMany), { commitment: grant(), bundle: big })
    await expect(makeShare(host.target, signerOf(patientOfMany), { commitment: grant(), bundle: big })).rejects.toMatchObject({
      status: 403,
      code: 'quota_exceeded',
      message: expect.stringMatching(/this patient address would hold \d+ bytes; the host keeps at most 4096/) as unknown,
    })
  })

  it('serves a share from its grant’s start, not before, and refuses a share that states another end than the chain', async () => {
    const host = await startHost()
    const now = Math.floor(host.target.clock!() / 1000)
    const share = await host.share({ grantPeriod: { validFrom: now + 3600, validUntil: now + 7200 } })
    const open = () => openShareLink(decodeShlink(share.link).payload, { recipient: 'Dr. Early', fetch: host.fetch })
    await expect(open()).rejects.toBeInstanceOf(ShareNotAvailableError)
    host.advance(3601)
    expect((await open()).files[0]?.content).toEqual(share.bundle)

    const commitment = fakeCommitment(newShareId())
    host.grants.set(patient.address, commitment, 'active', { validFrom: now, validUntil: now + 7200 })
    await expect(
      makeShare(host.target, signerOf(patient), { commitment, grantPeriod: { validFrom: now, validUntil: now + 99_999 } }),
    ).rejects.toMatchObject({ status: 403, code: 'forbidden', message: expect.stringMatching(/commitment and period on chain \(it is unknown\)/) as unknown })
  })

  it('refuses new files once the grant is revoked or expired, while the patient can still stop the share and read its log', async () => {
    const host = await startHost()
    const share = await host.share()
    const update = () => updateShareFiles(host.target, signerOf(patient), share.id, [{ contentType: 'application/fhir+json', jwe: share.jwe }])
    for (const status of ['revoked', 'expired'] as const) {
      host.grants.set(patient.address, share.commitment, status)
      await expect(update()).rejects.toMatchObject({ status: 409, code: 'grant_inactive', hint: expect.stringMatching(/give a new consent/) as unknown })
    }
    expect((await readShareAccessLog(host.target, signerOf(patient), share.id)).share.status).toBe('active')
    expect((await deactivateShare(host.target, signerOf(patient), share.id)).status).toBe('deactivated')
  })

  it('caps the log a link holder can grow: the newest entries, how many were dropped, wrong passcodes under one name as one entry', async () => {
    const host = await startHost({ CAREKEY_SHARE_HOST_ACCESS_LOG_CAP: '10', CAREKEY_SHARE_HOST_PASSCODE_ATTEMPTS: '100' })
    const share = await host.share({ passcode: 'right-2468' })
    for (let i = 0; i < 25; i++) {
      expect((await postManifest(host.fetch, share.manifestUrl, { recipient: `viewer ${i}`, passcode: 'right-2468' })).status).toBe(200)
      host.advance(1)
    }
    for (let i = 0; i < 3; i++) {
      expect((await postManifest(host.fetch, share.manifestUrl, { recipient: 'Mallory', passcode: `guess-${i}` })).status).toBe(401)
      host.advance(60)
    }
    const log = await readShareAccessLog(host.target, signerOf(patient), share.id)
    expect(log.dropped).toBe(18)
    expect(log.entries.map((e) => [e.recipient, e.outcome, e.count])).toEqual([
      ...Array.from({ length: 7 }, (_, i) => [`viewer ${18 + i}`, 'opened', undefined]),
      ['Mallory', 'wrong-passcode', 3],
    ])
    const mallory = log.entries.at(-1)
    expect(Date.parse(mallory?.lastAt ?? '') - Date.parse(mallory?.at ?? '')).toBe(120_000)
  })

  it('reuses a share record for one block time: a deactivation here ends it at once, one on another host within that time', async () => {
    const env = { CAREKEY_SHARE_HOST_BLOCK_TTL_MS: '1000' }
    const here = await startHost(env)
    const elsewhere = await startHost(env)
    const open = (host: typeof here, share: { link: string }) =>
      openShareLink(decodeShlink(share.link).payload, { recipient: 'Dr. Cache', fetch: host.fetch }).then(
        () => 'open',
        (error: unknown) => (error instanceof ShareNotAvailableError ? 'gone' : error),
      )
    const local = await here.share()
    expect(await open(here, local)).toBe('open')
    await deactivateShare(here.target, signerOf(patient), local.id)
    expect(await open(here, local)).toBe('gone')

    const remote = await here.share()
    elsewhere.grants.set(patient.address, remote.commitment, 'active')
    expect(await open(here, remote)).toBe('open')
    await deactivateShare(elsewhere.target, signerOf(patient), remote.id)
    expect(await open(elsewhere, remote)).toBe('gone')
    expect(await open(here, remote)).toBe('open')
    here.advance(1.001)
    expect(await open(here, remote)).toBe('gone')
  })

  it('answers 503 with Retry-After and changes nothing while its database is unreachable', async () => {
    const host = await startHost()
    const share = await host.share()
    const down = { reachable: true }
    const flaky = new SqlShareStore(unreachableWhen(db, down), { quota: host.config.quota, accessLogCap: host.config.accessLogCap })
    const app = createShareHostApp(host.config, { grants: host.grants, clock: host.target.clock, store: flaky })
    down.reachable = false
    const response = await postManifest((url, init) => Promise.resolve(app.request(url, init)), share.manifestUrl, { recipient: 'Dr. Wait' })
    expect(response.status).toBe(503)
    expect(response.headers.get('retry-after')).toBe('5')
    expect(await response.json()).toEqual({ error: 'storage_unavailable', detail: expect.stringMatching(/cannot reach its database; nothing was changed/) as unknown })
    down.reachable = true
    expect((await postManifest((url, init) => Promise.resolve(app.request(url, init)), share.manifestUrl, { recipient: 'Dr. Wait' })).status).toBe(200)
    expect((await readShareAccessLog(host.target, signerOf(patient), share.id)).entries.map((e) => e.recipient)).toEqual(['Dr. Wait'])
  })
})

describe('share host: recipients, limits and logs', () => {
  it('logs the verified address of a recipient who signs, and refuses a proof for another name or used twice', async () => {
    const host = await startHost()
    const commitment = fakeCommitment('with extension')
    host.grants.set(patient.address, commitment, 'active')
    const share = await makeShare(host.target, signerOf(patient), { commitment })
    const payload = decodeShlink(share.link).payload
    // The proof's domain is the chain and registry of the link's grant.
    await openShareLink(payload, {
      recipient: 'Dr. Ada Lovelace',
      recipientSigner: signerOf(clinician),
      carekey: { chainId: 31337, registry: REGISTRY },
      fetch: host.fetch,
    })
    const { entries } = await readShareAccessLog(host.target, signerOf(patient), share.id)
    expect(entries).toEqual([{ at: expect.any(String) as unknown, recipient: 'Dr. Ada Lovelace', outcome: 'opened', verifiedAddress: clinician.address }])

    const proof = await signRecipientProof(signerOf(clinician), {
      chainId: 31337,
      registry: REGISTRY,
      manifestUrl: share.manifestUrl,
      recipient: 'Dr. Ada Lovelace',
    })
    const asSomeoneElse = await postManifest(host.fetch, share.manifestUrl, { recipient: 'Dr. Grace Hopper', _recipientProof: proof })
    expect([asSomeoneElse.status, ((await asSomeoneElse.json()) as { error: string }).error]).toEqual([400, 'invalid_recipient_proof'])
    expect((await postManifest(host.fetch, share.manifestUrl, { recipient: 'Dr. Ada Lovelace', _recipientProof: proof })).status).toBe(200)
    expect((await postManifest(host.fetch, share.manifestUrl, { recipient: 'Dr. Ada Lovelace', _recipientProof: proof })).status).toBe(400)
  })

  it('refuses a manifest request without a recipient, and one too large to be a manifest request', async () => {
    const host = await startHost()
    const share = await host.share()
    expect((await postManifest(host.fetch, share.manifestUrl, { passcode: 'x' })).status).toBe(400)
    expect((await postManifest(host.fetch, share.manifestUrl, { recipient: '   ' })).status).toBe(400)
    expect((await postManifest(host.fetch, share.manifestUrl, { recipient: 'x'.repeat(20_000) })).status).toBe(413)
  })

  it('limits requests per client address and says when to come back', async () => {
    const host = await startHost({ CAREKEY_SHARE_HOST_RATE_LIMIT: '3' })
    const url = `${HOST}/shl/${newShareId()}`
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await postManifest(host.fetch, url, { recipient: 'x' })).status)
    expect(statuses).toEqual([404, 404, 404, 429])
    const limited = await postManifest(host.fetch, url, { recipient: 'x' })
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await host.fetch(`${HOST}/health`)).status).toBe(200)
  })

  it('lets viewers on any origin call it (CORS)', async () => {
    const host = await startHost()
    const preflight = await host.fetch(`${HOST}/shl/${newShareId()}`, {
      method: 'OPTIONS',
      headers: { origin: 'https://viewer.example.org', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    })
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*')
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST')
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

    it('carry the route pattern and status, never share ids, keys, passcodes, names or payloads', async () => {
      const host = await startHost({ CAREKEY_SHARE_HOST_LOG_REQUESTS: 'true' })
      const share = await host.share({ passcode: 'secret-2468' })
      await openShareLink(decodeShlink(share.link).payload, { recipient: 'Dr. Ada Lovelace', passcode: 'secret-2468', fetch: host.fetch })
      await postManifest(host.fetch, share.manifestUrl, { recipient: 'Dr. Ada Lovelace', passcode: 'wrong-1357' })
      await readShareAccessLog(host.target, signerOf(patient), share.id)

      expect(lines.some((l) => /^POST \/shl\/:id 200 \d+ms$/.test(l))).toBe(true)
      expect(lines.some((l) => /^POST \/shl\/:id 401 \d+ms$/.test(l))).toBe(true)
      expect(lines.some((l) => /^GET \/api\/shares\/:id\/access-log 200 \d+ms$/.test(l))).toBe(true)
      const all = lines.join('\n')
      for (const secret of [share.id, share.key, 'secret-2468', 'wrong-1357', 'Lovelace', share.jwe.slice(0, 40), patient.address]) {
        expect(all).not.toContain(secret)
      }
    })
  })
})

/** A database that throws what a dropped connection throws while `state.reachable` is false. */
function unreachableWhen(database: SqlDatabase, state: { reachable: boolean }): SqlDatabase {
  const check = () => {
    if (!state.reachable) throw new StorageUnavailableError({ cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) })
  }
  return {
    query: (text, params) => Promise.resolve().then(check).then(() => database.query(text, params)),
    exec: (script) => Promise.resolve().then(check).then(() => database.exec(script)),
    transaction: (work) => Promise.resolve().then(check).then(() => database.transaction(work)),
    close: () => Promise.resolve(),
  }
}

/** Every row of every table, as text. */
async function dumpDatabase(database: SqlDatabase): Promise<string> {
  const tables = await database.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)
  let text = ''
  for (const { tablename } of tables) {
    for (const row of await database.query(`SELECT row_to_json(t)::text AS row FROM "${tablename}" t`)) text += `${String(row.row)}\n`
  }
  return text
}
