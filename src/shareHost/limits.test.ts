import { afterEach, describe, expect, it, vi } from 'vitest'
import { decodeShlink, encodeShlink, encryptShareFile, manifestUrlFor, newShareId, newShareKey, ShareFileTooLargeError, type ShlPayload } from '../domain/shl/index.ts'
import { listShareFiles, openShareLink, ShareHostTimeoutError, ShareTooManyFilesError, type FetchLike, type OpenShareOptions } from './client.ts'
import { SHARE_OPEN_LIMITS } from './limits.ts'
import type * as Jwe from '../domain/shl/jwe.ts'

/**
 * What a hostile link can make the viewer do, against hosts played by fake `fetch`es: list too
 * many files, send an endless or oversized body, answer slowly or never. And that only the
 * file asked for is fetched and decrypted.
 */

// Counts every decryption the client makes, through the real function.
const decryptions = vi.hoisted(() => ({ count: 0 }))
vi.mock('../domain/shl/jwe.ts', async (importOriginal) => {
  const real = await importOriginal<typeof Jwe>()
  return {
    ...real,
    decryptShareFile: (...args: Parameters<typeof real.decryptShareFile>) => {
      decryptions.count++
      return real.decryptShareFile(...args)
    },
  }
})

const HOST = 'https://share.example.org'
const key = newShareKey()
const link = (flags: ShlPayload['flags'] = []): ShlPayload => decodeShlink(encodeShlink({ url: manifestUrlFor(HOST, newShareId()), key, flags })).payload
const json = (body: unknown) => new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } })
const jose = (body: BodyInit, headers: Record<string, string> = {}) => new Response(body, { headers: { 'content-type': 'application/jose', ...headers } })
const fhirFile = (location: string) => ({ contentType: 'application/fhir+json', location })

/** A host that answers by URL, and notes every URL asked for and the signal each request carried. */
function host(routes: Record<string, () => Response | Promise<Response>>) {
  const asked: string[] = []
  const signals: AbortSignal[] = []
  const fetch: FetchLike = async (url, init) => {
    asked.push(url)
    if (init?.signal) signals.push(init.signal)
    const route = routes[url]
    if (!route) throw new Error(`nothing at ${url}`)
    return route()
  }
  return { fetch, asked, signals }
}

const options = (fetch: FetchLike, more: Partial<OpenShareOptions> = {}): OpenShareOptions => ({ recipient: 'Dr. Ada Lovelace', fetch, ...more })

/**
 * A body of `total` bytes that is produced only as it is read, in chunks of `chunk` bytes:
 * `pulled` says how much the reader took, `cancelled` whether it stopped the stream.
 */
function streamedBody(total: number, chunk = 65_536) {
  const state = { pulled: 0, cancelled: false }
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (state.pulled >= total) return controller.close()
        const size = Math.min(chunk, total - state.pulled)
        state.pulled += size
        controller.enqueue(new Uint8Array(size).fill(0x41))
      },
      cancel() {
        state.cancelled = true
      },
    },
    { highWaterMark: 0 },
  )
  return { stream, state }
}

afterEach(() => {
  vi.useRealTimers()
  decryptions.count = 0
})

describe('caps on what a link may make the viewer read', () => {
  it('refuses a manifest that lists more files than the limit, before fetching any of them', async () => {
    const manifestUrl = link().url
    const files = Array.from({ length: SHARE_OPEN_LIMITS.maxFiles + 1 }, (_, i) => fhirFile(`${HOST}/f/${i}`))
    const { fetch, asked } = host({ [manifestUrl]: () => json({ files }) })
    const error = await listShareFiles(decodeShlink(encodeShlink({ url: manifestUrl, key })).payload, options(fetch)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ShareTooManyFilesError)
    expect(error).toMatchObject({ userMessage: `This share lists 21 files, more than the 20 CareKey opens.` })
    expect(asked).toEqual([manifestUrl])
  })

  it('accepts exactly the limit of files', async () => {
    const payload = link()
    const files = Array.from({ length: 3 }, (_, i) => fhirFile(`${HOST}/f/${i}`))
    const { fetch } = host({ [payload.url]: () => json({ files }) })
    expect((await listShareFiles(payload, options(fetch, { limits: { maxFiles: 3 } }))).files).toHaveLength(3)
  })

  it('stops reading a file as soon as it passes the cap, and cancels the rest of the body', async () => {
    const payload = link()
    const cap = 1_048_576
    const body = streamedBody(100 * cap)
    const { fetch } = host({ [payload.url]: () => json({ files: [fhirFile(`${HOST}/f/big`)] }), [`${HOST}/f/big`]: () => jose(body.stream) })
    const { files } = await listShareFiles(payload, options(fetch, { limits: { maxFileBytes: cap } }))
    const error = await files[0]?.open().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ShareFileTooLargeError)
    expect(error).toMatchObject({ limitBytes: cap, userMessage: 'The shared data is larger than 1 MB, more than CareKey opens.' })
    // Read up to the cap and one chunk past it, not the hundred megabytes on offer.
    expect(body.state.pulled).toBeLessThanOrEqual(cap + 65_536)
    expect(body.state.cancelled).toBe(true)
    expect(decryptions.count).toBe(0)
  })

  it('refuses a file whose declared length is past the cap without reading it', async () => {
    const payload = link()
    const body = streamedBody(2_000)
    const { fetch } = host({
      [payload.url]: () => json({ files: [fhirFile(`${HOST}/f/1`)] }),
      [`${HOST}/f/1`]: () => jose(body.stream, { 'content-length': '2000' }),
    })
    const { files } = await listShareFiles(payload, options(fetch, { limits: { maxFileBytes: 1_000 } }))
    await expect(files[0]?.open()).rejects.toBeInstanceOf(ShareFileTooLargeError)
    expect(body.state.pulled).toBe(0)
  })

  it('refuses an embedded file past the cap', async () => {
    const payload = link()
    const jwe = await encryptShareFile('{"resourceType":"Bundle"}', key)
    const { fetch } = host({ [payload.url]: () => json({ files: [{ contentType: 'application/fhir+json', embedded: jwe }] }) })
    const { files } = await listShareFiles(payload, options(fetch, { limits: { maxFileBytes: jwe.length - 1 } }))
    await expect(files[0]?.open()).rejects.toMatchObject({ limitBytes: jwe.length - 1 })
    expect(decryptions.count).toBe(0)
  })

  it('counts every file opened against the link’s total, and names the total when it is the one passed', async () => {
    const payload = link()
    const jwe = await encryptShareFile('{"resourceType":"Bundle"}', key)
    const { fetch } = host({
      [payload.url]: () => json({ files: [fhirFile(`${HOST}/f/0`), fhirFile(`${HOST}/f/1`), fhirFile(`${HOST}/f/2`)] }),
      [`${HOST}/f/0`]: () => jose(jwe),
      [`${HOST}/f/1`]: () => jose(jwe),
      [`${HOST}/f/2`]: () => jose(jwe),
    })
    const limits = { maxFileBytes: jwe.length, maxTotalBytes: 2 * jwe.length + 10 }
    const { files } = await listShareFiles(payload, options(fetch, { limits }))
    await files[0]?.open()
    await files[1]?.open()
    await expect(files[2]?.open()).rejects.toMatchObject({ limitBytes: limits.maxTotalBytes })
  })
})

describe('timeouts on every request', () => {
  /** A fetch that never answers and pays no attention to its signal, as a stuck host or proxy. */
  const silent: FetchLike = () => new Promise<Response>(() => undefined)

  it('gives up on a manifest request that is never answered, after the timeout, with a clear error', async () => {
    vi.useFakeTimers()
    const opening = listShareFiles(link(), options(silent))
    const settled = vi.fn()
    opening.then(settled, settled)
    await vi.advanceTimersByTimeAsync(SHARE_OPEN_LIMITS.timeoutMs - 1)
    expect(settled).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    const error = await opening.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ShareHostTimeoutError)
    expect(error).toMatchObject({ userMessage: 'The share host did not answer in time (within 15 seconds).' })
  })

  it('aborts the request it gives up on, so a real fetch stops too', async () => {
    vi.useFakeTimers()
    const payload = link()
    const { fetch, signals } = host({ [payload.url]: () => new Promise<Response>(() => undefined) })
    const opening = listShareFiles(payload, options(fetch)).catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(SHARE_OPEN_LIMITS.timeoutMs)
    expect(await opening).toBeInstanceOf(ShareHostTimeoutError)
    expect(signals.map((s) => s.aborted)).toEqual([true])
  })

  it('gives up on a file whose body stops coming, and on a file location that never answers', async () => {
    vi.useFakeTimers()
    const payload = link()
    const stalled = new ReadableStream<Uint8Array>({ start: (controller) => controller.enqueue(new Uint8Array(10)) })
    const { fetch } = host({
      [payload.url]: () => json({ files: [fhirFile(`${HOST}/f/stalled`), fhirFile(`${HOST}/f/silent`)] }),
      [`${HOST}/f/stalled`]: () => jose(stalled),
      [`${HOST}/f/silent`]: () => new Promise<Response>(() => undefined),
    })
    const { files } = await listShareFiles(payload, options(fetch, { limits: { timeoutMs: 5_000 } }))
    for (const file of files) {
      const opening = file.open().catch((e: unknown) => e)
      await vi.advanceTimersByTimeAsync(5_000)
      expect(await opening).toMatchObject({ timeoutMs: 5_000 })
    }
  })

  it('leaves no timer running once a reply is read', async () => {
    vi.useFakeTimers()
    const payload = link()
    const jwe = await encryptShareFile('{"resourceType":"Bundle"}', key)
    const { fetch } = host({ [payload.url]: () => json({ files: [fhirFile(`${HOST}/f/1`)] }), [`${HOST}/f/1`]: () => jose(jwe) })
    await openShareLink(payload, options(fetch))
    expect(vi.getTimerCount()).toBe(0)
  })
})

describe('only the file asked for is fetched and decrypted', () => {
  it('lists the files without fetching or decrypting any, then opens the one asked for alone', async () => {
    const payload = link()
    const other = newShareKey()
    const [first, second, third] = await Promise.all([
      encryptShareFile('{"n":1}', other),
      encryptShareFile('{"n":2}', key),
      encryptShareFile('{"n":3}', other),
    ])
    const { fetch, asked } = host({
      [payload.url]: () => json({ files: [{ contentType: 'application/fhir+json', embedded: first }, fhirFile(`${HOST}/f/2`), fhirFile(`${HOST}/f/3`)] }),
      [`${HOST}/f/2`]: () => jose(second),
      [`${HOST}/f/3`]: () => jose(third),
    })
    const { files } = await listShareFiles(payload, options(fetch))
    expect(files.map((f) => f.contentType)).toEqual(['application/fhir+json', 'application/fhir+json', 'application/fhir+json'])
    expect(asked).toEqual([payload.url])
    expect(decryptions.count).toBe(0)

    // The first and third files are under another key: opening them would fail.
    expect((await files[1]?.open())?.content).toEqual({ n: 2 })
    expect(asked).toEqual([payload.url, `${HOST}/f/2`])
    expect(decryptions.count).toBe(1)
  })

  it('fetches a flag-U link’s one file when listing it, and decrypts it only when opened', async () => {
    const payload = link(['U'])
    const jwe = await encryptShareFile('{"resourceType":"Bundle"}', key)
    const url = new URL(payload.url)
    url.searchParams.set('recipient', 'Dr. Ada Lovelace')
    const { fetch } = host({ [url.toString()]: () => jose(jwe) })
    const { manifest, files } = await listShareFiles(payload, options(fetch))
    expect([manifest, files.map((f) => f.contentType), decryptions.count]).toEqual([undefined, ['application/fhir+json'], 0])
    expect((await files[0]?.open())?.content).toEqual({ resourceType: 'Bundle' })
    expect(decryptions.count).toBe(1)
  })
})
