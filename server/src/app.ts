import { Hono } from 'hono'
import { cors } from 'hono/cors'
import { secureHeaders } from 'hono/secure-headers'
import type { ShareHostConfig } from './config.ts'

/** Builds the share host's HTTP application. */
export function createShareHostApp(config: ShareHostConfig) {
  const app = new Hono()
  app.use('*', secureHeaders({ crossOriginResourcePolicy: 'cross-origin' }))
  // SMART Health Links viewers run on any origin: the host serves ciphertext only, so CORS is open.
  app.use('*', cors({ origin: '*', allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'], maxAge: 600 }))

  app.get('/health', (c) =>
    c.json({ status: 'ok', chainId: config.chainId, consentRegistry: config.consentRegistry }),
  )

  app.notFound((c) => c.json({ error: 'not_found' }, 404))
  app.onError((err, c) => {
    // Log the error class only: messages can echo request content.
    console.error(`share host: ${err.name} on ${c.req.method} ${new URL(c.req.url).pathname}`)
    return c.json({ error: 'internal_error' }, 500)
  })
  return app
}
