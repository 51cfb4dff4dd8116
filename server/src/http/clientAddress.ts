import type { Context } from 'hono'
import { getConnInfo } from '@hono/node-server/conninfo'

/**
 * The address a request came from, for rate limiting only (never logged or stored).
 *
 * Behind `trustedProxyHops` proxies, each appending the address it saw to X-Forwarded-For,
 * the client is the entry that many places from the right: with one proxy, the rightmost
 * entry, the one it appended. Entries further left were written by the client and prove
 * nothing. A header with fewer entries than hops did not come through all the proxies, so the
 * socket's address counts. Requests that did not come through a Node socket (tests calling
 * app.fetch) share one bucket.
 *
 * @example
 * // One proxy; the client sent "X-Forwarded-For: 1.1.1.1", the proxy appended 203.0.113.7
 * clientAddress(c, 1) // '203.0.113.7'
 */
export function clientAddress(c: Context, trustedProxyHops: number): string {
  if (trustedProxyHops > 0) {
    const forwarded = (c.req.header('x-forwarded-for') ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '')
    const client = forwarded[forwarded.length - trustedProxyHops]
    if (client !== undefined) return client
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown'
  } catch {
    // No Node socket behind this request (in-process calls).
    return 'in-process'
  }
}
