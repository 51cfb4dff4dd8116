import { describe, expect, it } from 'vitest'
import type { Hex } from 'viem'
import {
  relayGrant,
  relayGrantRequest,
  relayRevoke,
  relayRevokeRequest,
  RelayRateLimitedError,
  RelayRefusedError,
  RelayUnreachableError,
  SponsorOutOfFundsError,
} from './relay.ts'
import type { FetchLike } from './client.ts'

const location = { chainId: 31337, registry: '0x5FbDB2315678afecb367f032d93F642f64180aa3' } as const
const patient = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const commitment: Hex = `0x${'ab'.repeat(32)}`
const signature: Hex = `0x${'12'.repeat(64)}1b`
const request = relayGrantRequest(location, patient, { commitment, validUntil: 1_800_000_000n, deadline: 1_790_000_000n }, signature)
const receipt = { transactionHash: `0x${'cd'.repeat(32)}`, blockNumber: 12, patient }

/** A host that answers every request with this reply, and remembers what it was sent. */
function host(status: number, body: unknown, headers: Record<string, string> = {}) {
  const sent: { url: string; init: RequestInit | undefined }[] = []
  const fetch: FetchLike = async (url, init) => {
    sent.push({ url, init })
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
      status,
      headers: { 'content-type': typeof body === 'string' ? 'text/html' : 'application/json', ...headers },
    })
  }
  return { config: { shareHostUrl: 'https://share.example.org/', fetch }, sent }
}

const bodyOf = (init: RequestInit | undefined): string => (typeof init?.body === 'string' ? init.body : '')

describe('relay client', () => {
  it('posts the signed grant as JSON to /api/relay/grant and returns the parsed receipt', async () => {
    const { config, sent } = host(200, receipt)
    expect(await relayGrant(config, request)).toEqual(receipt)
    expect(sent[0]?.url).toBe('https://share.example.org/api/relay/grant')
    expect(JSON.parse(bodyOf(sent[0]?.init))).toEqual({ ...request, validUntil: 1_800_000_000, deadline: 1_790_000_000 })
  })

  it('posts a revoke to /api/relay/revoke, without an end of validity', async () => {
    const { config, sent } = host(200, receipt)
    await relayRevoke(config, relayRevokeRequest(location, patient, { commitment, deadline: 1_790_000_000n }, signature))
    expect(sent[0]?.url).toBe('https://share.example.org/api/relay/revoke')
    expect(JSON.parse(bodyOf(sent[0]?.init))).not.toHaveProperty('validUntil')
  })

  it('tells an unreachable host apart: no connection, a proxy error page, a reply that is not a receipt', async () => {
    const offline: FetchLike = async () => {
      throw new TypeError('fetch failed')
    }
    await expect(relayGrant({ shareHostUrl: 'https://share.example.org', fetch: offline }, request)).rejects.toBeInstanceOf(RelayUnreachableError)
    await expect(relayGrant(host(502, '<html>Bad gateway</html>').config, request)).rejects.toBeInstanceOf(RelayUnreachableError)
    await expect(relayGrant(host(200, { ok: true }).config, request)).rejects.toBeInstanceOf(RelayUnreachableError)
  })

  it('tells a sponsor out of funds apart', async () => {
    const error = await relayGrant(host(503, { error: 'sponsor-out-of-funds', detail: 'x' }, { 'retry-after': '3600' }).config, request).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SponsorOutOfFundsError)
    expect((error as SponsorOutOfFundsError).userMessage).toMatch(/run out of funds/)
  })

  it('tells a rate limit and the daily allowance apart, with the wait', async () => {
    const limited = await relayGrant(host(429, { error: 'rate-limited' }, { 'retry-after': '20' }).config, request).catch((e: unknown) => e)
    expect(limited).toBeInstanceOf(RelayRateLimitedError)
    expect(limited).toMatchObject({ code: 'rate-limited', retryAfterSeconds: 20, hint: 'Try again in 20 seconds.' })
    const daily = await relayGrant(host(429, { error: 'daily-gas-limit' }, { 'retry-after': '7200' }).config, request).catch((e: unknown) => e)
    expect(daily).toMatchObject({ code: 'daily-gas-limit', retryAfterSeconds: 7200, hint: 'Try again in 2 hours.' })
    // The share host's own limiter, in front of the relay, counts as a rate limit too.
    expect(await relayGrant(host(429, { error: 'rate_limited' }).config, request).catch((e: unknown) => e)).toMatchObject({ code: 'rate-limited' })
  })

  it('passes every refusal on with its code, and words for the patient', async () => {
    for (const [status, code] of [
      [400, 'invalid-signature'],
      [400, 'deadline-passed'],
      [400, 'wrong-chain-or-registry'],
      [409, 'already-recorded'],
      [503, 'relay-disabled'],
      [504, 'not-confirmed'],
    ] as const) {
      const error = await relayGrant(host(status, { error: code, detail: 'd' }).config, request).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(RelayRefusedError)
      expect(error).toMatchObject({ status, code, detail: 'd' })
      expect((error as RelayRefusedError).userMessage).not.toBe('')
    }
    expect(await relayGrant(host(418, { error: 'teapot' }).config, request).catch((e: unknown) => e)).toMatchObject({ code: 'http-418' })
  })

  it('refuses to send a time that JSON cannot carry exactly', () => {
    expect(() => relayGrantRequest(location, patient, { commitment, validUntil: 2n ** 60n, deadline: 1n }, signature)).toThrow(RangeError)
  })
})
