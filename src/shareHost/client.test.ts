import { describe, expect, it } from 'vitest'
import { keccak256, stringToHex, toHex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import {
  decodeShlink,
  encodeShlink,
  encryptShareFile,
  encryptShareGrant,
  manifestUrlFor,
  MAX_SHARE_GRANT_LENGTH,
  newShareId,
  newShareKey,
  ShareFileTooLargeError,
  ShareFileUnreadableError,
  ShareGrantMissingError,
  ShareGrantTooLargeError,
  ShareGrantUnreadableError,
  type ShareGrant,
  type ShlPayload,
} from '../domain/shl/index.ts'
import {
  deactivateShare,
  fetchShareGrant,
  openShareLink,
  ShareHostBusyError,
  ShareHostRefusedError,
  ShareHostReplyError,
  ShareHostUnreachableError,
  ShareLockedError,
  ShareNotAvailableError,
  WrongSharePasscodeError,
  type FetchLike,
} from './client.ts'

const HOST = 'https://share.example.org'
const key = newShareKey()
const link = (flags: ShlPayload['flags'] = []): ShlPayload =>
  decodeShlink(encodeShlink({ url: manifestUrlFor(HOST, newShareId()), key, flags })).payload

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })

/** A host that answers every request with the given replies, in order. */
function host(...replies: (Response | Error)[]): FetchLike {
  return async () => {
    const next = replies.shift()
    if (!next) throw new Error('no more replies')
    if (next instanceof Error) throw next
    return next
  }
}

const open = (fetch: FetchLike, payload = link()) => openShareLink(payload, { recipient: 'Dr. Ada Lovelace', fetch })

describe('opening a share link against what a host may answer', () => {
  it('fetches a file from its location when it is not embedded and decrypts it', async () => {
    const jwe = await encryptShareFile('{"resourceType":"Bundle"}', key)
    const fetch = host(
      json({ files: [{ contentType: 'application/fhir+json', location: `${HOST}/f/1` }] }),
      new Response(jwe, { headers: { 'content-type': 'application/jose' } }),
    )
    expect((await open(fetch)).files).toMatchObject([{ contentType: 'application/fhir+json', content: { resourceType: 'Bundle' } }])
  })

  it('says the share is not available on 404, and how many passcode attempts are left on 401', async () => {
    await expect(open(host(json({ error: 'not_found' }, 404)))).rejects.toBeInstanceOf(ShareNotAvailableError)
    const wrong = open(host(json({ remainingAttempts: 3 }, 401)), link(['P']))
    await expect(wrong).rejects.toBeInstanceOf(WrongSharePasscodeError)
    await expect(open(host(json({ remainingAttempts: 3 }, 401)))).rejects.toMatchObject({ remainingAttempts: 3, passcodeGiven: false })
    await expect(open(host(json({ error: 'wrong' }, 401)))).rejects.toBeInstanceOf(ShareHostReplyError)
  })

  it('tells a link locked for too many wrong passcodes from one that is stopped or ended, and reads any other 404 as not available', async () => {
    const locked = open(host(json({ error: 'share_locked', detail: 'too many wrong passcodes' }, 404)), link(['P']))
    await expect(locked).rejects.toBeInstanceOf(ShareLockedError)
    await expect(open(host(json({ error: 'share_locked' }, 404)))).rejects.toThrow('Too many wrong passcodes were typed, so the share host locked this link for good.')
    const stopped = await open(host(json({ error: 'not_found' }, 404))).catch((error: unknown) => error)
    expect(stopped).toBeInstanceOf(ShareNotAvailableError)
    expect(stopped).not.toBeInstanceOf(ShareLockedError)
    // Another host's 404: an HTML page, or nothing at all.
    await expect(open(host(new Response('<h1>Not found</h1>', { status: 404, headers: { 'content-type': 'text/html' } })))).rejects.toThrow(
      'This share is not available',
    )
    await expect(open(host(new Response(null, { status: 404 })))).rejects.toThrow('This share is not available')
  })

  it('says the last wrong passcode locked the link, and that the patient must make a new QR code', async () => {
    const last = await openShareLink(link(['P']), { recipient: 'Dr. Ada Lovelace', passcode: '0000', fetch: host(json({ remainingAttempts: 0 }, 401)) }).catch(
      (error: unknown) => error,
    )
    expect(last).toMatchObject({ remainingAttempts: 0, userMessage: expect.stringContaining('locked this link for good') as unknown, hint: 'Ask the patient to make a new consent QR code.' })
  })

  it('tells busy from unreachable', async () => {
    await expect(open(host(json({ error: 'rate_limited' }, 429, { 'retry-after': '7' })))).rejects.toMatchObject({ retryAfterSeconds: 7 })
    await expect(open(host(json({ error: 'chain_unavailable' }, 503)))).rejects.toBeInstanceOf(ShareHostBusyError)
    await expect(open(host(new TypeError('fetch failed')))).rejects.toBeInstanceOf(ShareHostUnreachableError)
  })

  it('refuses replies that are not a manifest: HTML, broken JSON, missing files, a file with nothing to fetch', async () => {
    await expect(open(host(new Response('<html>', { headers: { 'content-type': 'text/html' } })))).rejects.toBeInstanceOf(ShareHostReplyError)
    await expect(open(host(new Response('{"files":', { headers: { 'content-type': 'application/json' } })))).rejects.toBeInstanceOf(
      ShareHostReplyError,
    )
    await expect(open(host(json({ status: 'finalized' })))).rejects.toThrow(/files/)
    await expect(open(host(json({ files: [{ contentType: 'application/fhir+json' }] })))).rejects.toBeInstanceOf(ShareHostReplyError)
  })

  it('refuses a file whose own content type differs from the manifest’s, or that is not JSON', async () => {
    const card = await encryptShareFile('{}', key, { contentType: 'application/smart-health-card' })
    await expect(open(host(json({ files: [{ contentType: 'application/fhir+json', embedded: card }] })))).rejects.toBeInstanceOf(
      ShareFileUnreadableError,
    )
    const text = await encryptShareFile('not json', key)
    await expect(open(host(json({ files: [{ contentType: 'application/fhir+json', embedded: text }] })))).rejects.toThrow(/not JSON/)
  })

  it('refuses a file that decompresses past the decrypted-size limit', async () => {
    const bomb = await encryptShareFile(new Uint8Array(2_000_000), key)
    const fetch = host(json({ files: [{ contentType: 'application/fhir+json', embedded: bomb }] }))
    await expect(openShareLink(link(), { recipient: 'x', fetch, limits: { maxDecryptedFileBytes: 100_000 } })).rejects.toBeInstanceOf(ShareFileTooLargeError)
  })
})

describe('managing a share against what a host may answer', () => {
  const account = mnemonicToAccount('test test test test test test test test test test test junk', { addressIndex: 1 })
  const patient = { address: account.address, signTypedData: account.signTypedData }
  const target = (fetch: FetchLike) => ({ hostUrl: HOST, chainId: 31337, registry: account.address, fetch })

  it('names the host’s refusal, and refuses a reply that is not a share status', async () => {
    await expect(deactivateShare(target(host(json({ error: 'forbidden', detail: 'not yours' }, 403))), patient, newShareId())).rejects.toMatchObject({
      status: 403,
      code: 'forbidden',
      userMessage: 'The share host refused the request: not yours.',
    })
    await expect(deactivateShare(target(host(new Response('oops', { status: 500 }))), patient, newShareId())).rejects.toBeInstanceOf(ShareHostRefusedError)
    await expect(deactivateShare(target(host(json({ id: 'x' }))), patient, newShareId())).rejects.toBeInstanceOf(ShareHostReplyError)
  })

  it('sends the signature in the Authorization header and no body for a deactivation', async () => {
    let sent: RequestInit | undefined
    const fetch: FetchLike = async (_url, init) => {
      sent = init
      return json({ error: 'not_found' }, 404)
    }
    await expect(deactivateShare(target(fetch), patient, newShareId())).rejects.toBeInstanceOf(ShareNotAvailableError)
    expect(sent?.method).toBe('DELETE')
    expect(sent?.body).toBeUndefined()
    expect(new Headers(sent?.headers).get('authorization')).toMatch(/^CareKey [A-Za-z0-9_-]+$/)
  })
})

describe('reading the grant beside the manifest (a CareKey link with "_ck":2)', () => {
  const grant: ShareGrant = {
    chainId: 31337,
    registry: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    terms: {
      patient: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
      grantee: keccak256(toHex('grantee')),
      scopeHash: keccak256(toHex('scope')),
      purpose: stringToHex('TREAT', { size: 32 }),
      validFrom: 1_800_000_000n,
      validUntil: 1_800_086_400n,
      dataHash: keccak256(toHex('data')),
      salt: keccak256(toHex('salt')),
    },
    label: 'For Dr. Lee',
  }
  const jose = (body: string, headers: Record<string, string> = {}) => new Response(body, { headers: { 'content-type': 'application/jose', ...headers } })

  it('fetches it from <url>/grant without a passcode and decrypts it with the link key', async () => {
    const payload = link(['L', 'P'])
    const requests: { url: string; method: string | undefined; body: unknown }[] = []
    const replies = host(jose(`${await encryptShareGrant(grant, key)}\n`))
    const fetch: FetchLike = (url, init) => {
      requests.push({ url, method: init?.method, body: init?.body })
      return replies(url, init)
    }
    expect(await fetchShareGrant(payload, { fetch })).toEqual(grant)
    expect(requests).toEqual([{ url: `${payload.url}/grant`, method: 'GET', body: undefined }])
  })

  it('says which way it failed: missing, too large, changed or under another key, host busy or unreachable', async () => {
    const payload = link()
    const genuine = await encryptShareGrant(grant, key)
    const cases: [Response | Error, new (...args: never[]) => Error][] = [
      [json({ error: 'not_found' }, 404), ShareGrantMissingError],
      [jose('x'.repeat(MAX_SHARE_GRANT_LENGTH + 1)), ShareGrantTooLargeError],
      [jose('', { 'content-length': String(MAX_SHARE_GRANT_LENGTH + 1) }), ShareGrantTooLargeError],
      [jose(await encryptShareGrant(grant, newShareKey())), ShareGrantUnreadableError],
      [jose(`${genuine.slice(0, -30)}${genuine.slice(-30).replace(/[A-Za-z]/, (c) => (c === 'A' ? 'B' : 'A'))}`), ShareGrantUnreadableError],
      [jose(await encryptShareFile('{}', key)), ShareGrantUnreadableError],
      [new Response('', { status: 503, headers: { 'retry-after': '5' } }), ShareHostBusyError],
      [new TypeError('fetch failed'), ShareHostUnreachableError],
    ]
    for (const [reply, expected] of cases) await expect(fetchShareGrant(payload, { fetch: host(reply) })).rejects.toBeInstanceOf(expected)
  })
})
