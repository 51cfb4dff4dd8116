import { createServer, type Server } from 'node:http'
import { readFile, stat } from 'node:fs/promises'
import { extname, join, normalize, resolve, sep } from 'node:path'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
}

export type StaticSite = {
  url: string
  /** Serves another folder from now on, at the same origin (a new deployment). */
  serve(folder: string): void
  close(): Promise<void>
}

/**
 * A static host for a built CareKey, the way a deployment serves it: files from one folder,
 * index.html for every other path, no caching of the service worker script. `serve()` swaps
 * the folder, so a test can deploy a second build to the same origin.
 */
export async function startStaticSite(folder: string, port: number): Promise<StaticSite> {
  let root = resolve(folder)
  const server: Server = createServer((request, response) => {
    void (async () => {
      const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname)
      const file = normalize(join(root, path))
      let body: Buffer
      let type: string
      if (file.startsWith(root + sep) && (await stat(file).catch(() => undefined))?.isFile()) {
        body = await readFile(file)
        type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream'
      } else {
        body = await readFile(join(root, 'index.html'))
        type = CONTENT_TYPES['.html'] ?? 'text/html'
      }
      response.writeHead(200, { 'content-type': type, 'cache-control': path.startsWith('/assets/') ? 'max-age=31536000, immutable' : 'no-cache' })
      response.end(body)
    })().catch(() => {
      response.writeHead(500)
      response.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(port, 'localhost', resolve))
  return {
    url: `http://localhost:${port}`,
    serve(next) {
      root = resolve(next)
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
