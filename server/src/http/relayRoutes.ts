import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { z } from 'zod'
import { relayGrantRequestSchema, relayRevokeRequestSchema, type RelayReceipt } from '../../../src/domain/consent/index.ts'
import { describeIssue, fail, parseJson, type HostContext } from '../context.ts'
import { RelayRefusal } from '../relay/verify.ts'
import { rateLimit } from './rateLimit.ts'

/** A signed grant is well under 1 kB of JSON. */
const MAX_RELAY_BODY_BYTES = 2048

/**
 * The sponsor relay (see src/domain/consent/relayMessages.ts for the shapes and codes):
 *   POST /api/relay/grant    record a grant signed by its per-grant key
 *   POST /api/relay/revoke   revoke it, signed by the same key
 * Each answers once the transaction is mined: 200 `{transactionHash, blockNumber, patient}`,
 * or an error reply `{error, detail}` with one of the relay's codes.
 */
export function relayRoutes(ctx: HostContext) {
  const app = new Hono()
  const { relay } = ctx
  const config = ctx.config.relay

  if (!relay) {
    app.all('/api/relay/*', (c) => fail(c, 503, 'relay-disabled', 'this share host relays no transactions (no sponsor key is configured)'))
    return app
  }
  app.use(
    '/api/relay/*',
    rateLimit({
      perMinute: config.rateLimitPerMinute,
      trustedProxyHops: ctx.config.trustedProxyHops,
      clock: ctx.clock,
      refusal: { error: 'rate-limited', detail: 'too many relay requests from this address; try again later' },
    }),
  )
  const limit = bodyLimit({ maxSize: MAX_RELAY_BODY_BYTES, onError: (c) => fail(c, 400, 'invalid-request', `a relay request is at most ${MAX_RELAY_BODY_BYTES} bytes`) })

  app.post('/api/relay/grant', limit, (c) => handle(c, relayGrantRequestSchema, (request) => relay.relayGrant(request)))
  app.post('/api/relay/revoke', limit, (c) => handle(c, relayRevokeRequestSchema, (request) => relay.relayRevoke(request)))
  app.all('/api/relay/*', (c) =>
    fail(c, 400, 'not-a-registry-call', 'the relay submits only signed grants (POST /api/relay/grant) and revokes (POST /api/relay/revoke) to the consent registry'),
  )
  return app
}

async function handle<Schema extends z.ZodType>(c: Context, schema: Schema, relayCall: (request: z.output<Schema>) => Promise<RelayReceipt>) {
  const parsed = schema.safeParse(parseJson(await c.req.text()))
  if (!parsed.success) return fail(c, 400, 'invalid-request', describeIssue(parsed.error))
  try {
    return c.json(await relayCall(parsed.data) satisfies RelayReceipt)
  } catch (error) {
    if (!(error instanceof RelayRefusal)) throw error
    if (error.retryAfterSeconds !== undefined) c.header('Retry-After', String(error.retryAfterSeconds))
    return fail(c, error.status, error.code, error.detail)
  }
}
