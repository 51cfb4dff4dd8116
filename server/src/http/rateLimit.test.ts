import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { rateLimit } from './rateLimit.ts'

/** An app limited to `perMinute` requests per client address, behind `hops` trusted proxies; the clock stands still. */
function limited(perMinute: number, hops: number) {
  const app = new Hono()
  app.use('*', rateLimit({ perMinute, trustedProxyHops: hops, clock: () => 1_800_000_000_000 }))
  app.get('/', (c) => c.text('ok'))
  return async (forwardedFor?: string) => {
    const response = await app.request('/', { headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } })
    return response.status
  }
}

describe('rate limit per client address behind proxies', () => {
  it('counts the entry the proxy appended, so a client that writes its own X-Forwarded-For entries stays limited', async () => {
    const request = limited(3, 1)
    const statuses = []
    // The client makes up a new leftmost address each time; the proxy appends the one it saw.
    for (let i = 0; i < 5; i++) statuses.push(await request(`10.0.0.${i}, 192.0.2.${i}, 203.0.113.7`))
    expect(statuses).toEqual([200, 200, 200, 429, 429])
    // Another client behind the same proxy has its own bucket.
    expect(await request('203.0.113.8')).toBe(200)
  })

  it('with two proxies, counts the second entry from the right, whatever the client wrote and whichever outer proxy it came through', async () => {
    const request = limited(2, 2)
    expect(await request('spoofed-1, 198.51.100.1, 10.1.1.1')).toBe(200)
    expect(await request('spoofed-2, 198.51.100.1, 10.1.1.2')).toBe(200)
    expect(await request('198.51.100.1, 10.1.1.3')).toBe(429)
    expect(await request('spoofed-3, 198.51.100.2, 10.1.1.1')).toBe(200)
  })

  it('uses the socket address when the header has fewer entries than there are proxies, or when proxies are not trusted', async () => {
    // In-process requests have no socket: they all share one bucket.
    const behindTwo = limited(2, 2)
    expect([await behindTwo('192.0.2.1'), await behindTwo('192.0.2.2'), await behindTwo()]).toEqual([200, 200, 429])
    const direct = limited(2, 0)
    expect([await direct('192.0.2.1'), await direct('192.0.2.2'), await direct('192.0.2.3')]).toEqual([200, 200, 429])
  })
})
