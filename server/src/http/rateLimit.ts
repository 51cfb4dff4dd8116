import type { MiddlewareHandler } from 'hono'
import { clientAddress } from './clientAddress.ts'

/**
 * A token bucket per client address: `perMinute` requests a minute, in bursts of up to that
 * many. Over the limit: 429 with Retry-After. Buckets live in memory and are swept as they fill.
 */
export function rateLimit(options: {
  perMinute: number
  /** See ShareHostConfig.trustedProxyHops. */
  trustedProxyHops: number
  clock: () => number
  /** The error reply over the limit; the share host's own by default. */
  refusal?: { error: string; detail: string }
}): MiddlewareHandler {
  const refusal = options.refusal ?? { error: 'rate_limited', detail: 'Too many requests from this address; try again later.' }
  const buckets = new Map<string, { tokens: number; at: number }>()
  const refillPerMs = options.perMinute / 60_000
  let requestsSinceSweep = 0

  return async (c, next) => {
    if (options.perMinute <= 0) return next()
    const now = options.clock()
    const key = clientAddress(c, options.trustedProxyHops)
    const bucket = buckets.get(key) ?? { tokens: options.perMinute, at: now }
    bucket.tokens = Math.min(options.perMinute, bucket.tokens + (now - bucket.at) * refillPerMs)
    bucket.at = now
    buckets.set(key, bucket)
    if (++requestsSinceSweep >= 10_000) {
      requestsSinceSweep = 0
      // A bucket that would be full again holds no information: forget it.
      for (const [k, b] of buckets) if (b.tokens + (now - b.at) * refillPerMs >= options.perMinute) buckets.delete(k)
    }
    if (bucket.tokens < 1) {
      c.header('Retry-After', String(Math.ceil((1 - bucket.tokens) / refillPerMs / 1000)))
      return c.json(refusal, 429)
    }
    bucket.tokens -= 1
    return next()
  }
}
