import type { Context } from 'hono'
import { getConnInfo } from '@hono/node-server/conninfo'

/**
 * The address a request came from, for rate limiting only (never logged or stored). Behind a
 * proxy (`trustProxy`), the first X-Forwarded-For entry; requests that did not come through
 * a Node socket (tests calling app.fetch) share one bucket.
 */
export function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim()
    if (forwarded) return forwarded
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown'
  } catch {
    // No Node socket behind this request (in-process calls).
    return 'in-process'
  }
}
