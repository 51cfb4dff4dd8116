import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { BENCH_DIST, type BenchSuite } from './lib/context.ts'

/**
 * The JavaScript the first screen loads: the entry script and every module index.html
 * preloads, gzip-compressed as a server would send them.
 */
export const bundleSuite: BenchSuite = {
  name: 'bundle',
  async run(ctx) {
    await ctx.appUrl()
    const html = await readFile(join(BENCH_DIST, 'index.html'), 'utf8')
    const scripts = [
      ...html.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+)"/g),
      ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g),
    ].map((m) => m[1] ?? '')
    let bytes = 0
    for (const src of new Set(scripts)) {
      bytes += gzipSync(await readFile(join(BENCH_DIST, src.replace(/^\//, ''))), { level: 6 }).length
    }
    return [{ name: 'bundle.initial_js_gzip_kb', value: bytes / 1024, unit: 'kB' }]
  },
}
