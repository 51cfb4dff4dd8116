import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { BENCH_DIST, type BenchSuite } from './lib/context.ts'

/**
 * The JavaScript the first screen loads, gzip-compressed as a server would send them: every
 * script the browser fetches from opening CareKey (first visit, no wallet) until the welcome
 * screen shows. Counted in the browser, because the entry script starts the app after the
 * first paint (with a dynamic import), so index.html alone no longer lists it all.
 */
export const bundleSuite: BenchSuite = {
  name: 'bundle',
  async run(ctx) {
    const url = await ctx.appUrl()
    const page = await (await (await ctx.browser()).newContext({ serviceWorkers: 'block' })).newPage()
    const scripts = new Set<string>()
    page.on('request', (request) => {
      if (request.resourceType() === 'script' && request.url().startsWith(url)) scripts.add(new URL(request.url()).pathname)
    })
    await page.goto(url)
    await page.getByRole('heading', { name: 'Welcome to CareKey' }).waitFor()
    await page.context().close()
    let bytes = 0
    for (const path of scripts) bytes += gzipSync(await readFile(join(BENCH_DIST, path.replace(/^\//, ''))), { level: 6 }).length
    return [{ name: 'bundle.initial_js_gzip_kb', value: bytes / 1024, unit: 'kB' }]
  },
}
