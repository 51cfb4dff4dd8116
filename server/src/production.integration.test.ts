/**
 * `npm start` against a real `vite build` (the way `npm run build` makes one): the policy header
 * is the built meta tag's plus `frame-ancestors 'none'`, the built app uses its own origin as
 * its share host, and its files get the caching they need.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseAppConfig } from '../../src/platform/configSchema.ts'
import { contentSecurityPolicy } from '../../src/platform/contentSecurityPolicy.ts'
import { createProductionApp, IMMUTABLE, REVALIDATE } from './production.ts'
import { readProductionConfig } from './productionConfig.ts'

const ORIGIN = 'https://carekey.example.org'
const BUILD_ENV = {
  CAREKEY_CHAIN_ID: '84532',
  CAREKEY_RPC_URL: 'https://sepolia.base.org',
  CAREKEY_CONSENT_REGISTRY: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  CAREKEY_CONSENT_REGISTRY_BLOCK: '1',
  CAREKEY_SHARE_HOST_URL: ORIGIN,
}

let dist: string
let dataDir: string
let indexHtml: string

beforeAll(async () => {
  dist = await mkdtemp(join(tmpdir(), 'carekey-vite-build-'))
  dataDir = await mkdtemp(join(tmpdir(), 'carekey-share-host-'))
  const env: Record<string, string | undefined> = { ...process.env, ...BUILD_ENV }
  delete env.CAREKEY_DEPLOYMENT
  await promisify(execFile)(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'], {
    env,
    maxBuffer: 16 * 1024 * 1024,
  })
  indexHtml = await readFile(join(dist, 'index.html'), 'utf8')
}, 180_000)

afterAll(async () => {
  await rm(dist, { recursive: true, force: true })
  await rm(dataDir, { recursive: true, force: true })
})

async function productionApp() {
  const config = readProductionConfig({ ...BUILD_ENV, CAREKEY_SHARE_HOST_DATA_DIR: dataDir, CAREKEY_DIST_DIR: dist })
  return createProductionApp(config.shareHost, { distDir: config.distDir })
}

describe('npm start serving a real build', () => {
  it('sends the built meta tag’s content security policy as a header, plus frame-ancestors', async () => {
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(indexHtml)?.[1]?.replaceAll('&#39;', "'")
    expect(meta).toBe(contentSecurityPolicy(parseAppConfig(BUILD_ENV)))
    const app = await productionApp()
    for (const path of ['/', '/consent/xyz', '/index.html']) {
      const response = await app.request(path)
      expect(response.status, path).toBe(200)
      expect(response.headers.get('content-security-policy'), path).toBe(`${meta}; frame-ancestors 'none'`)
    }
  })

  it('publishes no source maps: none is built, no script names one, and none is served', async () => {
    const files = (await readdir(dist, { recursive: true })).map(String)
    expect(files.filter((name) => name.endsWith('.map'))).toEqual([])
    const scripts = files.filter((name) => /\.m?js$/.test(name))
    expect(scripts).toContain('sw.js')
    for (const name of scripts) expect(await readFile(join(dist, name), 'utf8'), name).not.toContain('sourceMappingURL')
    const app = await productionApp()
    for (const name of scripts.filter((name) => name.startsWith('assets/')).slice(0, 3).concat('sw.js')) {
      expect((await app.request(`/${name}.map`)).status, `${name}.map`).toBe(404)
    }
  })

  it('builds an app that uses its own origin as its share host', async () => {
    const scripts = (await readdir(join(dist, 'assets'))).filter((name) => name.endsWith('.js'))
    const sources = await Promise.all(scripts.map((name) => readFile(join(dist, 'assets', name), 'utf8')))
    // The build's environment, as the minifier writes it: CAREKEY_SHARE_HOST_URL:`https://…`
    const shareHostUrl = /CAREKEY_SHARE_HOST_URL:\s*["'`]([^"'`]+)["'`]/
    expect(sources.map((source) => shareHostUrl.exec(source)?.[1]).filter(Boolean)).toEqual([ORIGIN])
  })

  it('keeps every script and style index.html loads for a year, and asks again for index.html, the worker and the manifest', async () => {
    const app = await productionApp()
    const loaded = [...indexHtml.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1] ?? '')
    expect(loaded.length).toBeGreaterThanOrEqual(2)
    for (const path of loaded) {
      const response = await app.request(path)
      expect(response.status, path).toBe(200)
      expect(response.headers.get('cache-control'), path).toBe(IMMUTABLE)
    }
    for (const path of ['/', '/sw.js', '/manifest.webmanifest', '/favicon.svg']) {
      const response = await app.request(path)
      expect(response.status, path).toBe(200)
      expect(response.headers.get('cache-control'), path).toBe(REVALIDATE)
    }
  })
})
