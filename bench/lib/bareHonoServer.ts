/**
 * The baseline for the share host's load benches: a bare Hono route served by
 * @hono/node-server, nothing else (no store, no chain, no middleware). It reads a small JSON
 * body and answers a small JSON, as a manifest request does. Run as a process of its own on
 * PORT (127.0.0.1), like the host it is compared with.
 */
import { serve } from '@hono/node-server'
import { Hono } from 'hono'

const app = new Hono()
app.get('/health', (c) => c.json({ status: 'ok' }))
app.post('/shl/:id', async (c) => {
  const body: unknown = await c.req.json()
  return c.json({ id: c.req.param('id'), received: typeof body === 'object' && body !== null })
})

const port = Number(process.env.PORT)
if (!Number.isInteger(port) || port <= 0) {
  console.error('bare Hono server: set PORT to the port to listen on')
  process.exit(1)
}
serve({ fetch: app.fetch, port, hostname: '127.0.0.1' })
