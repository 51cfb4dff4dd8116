/**
 * `npm start`'s server over real HTTP, with a small built app of its own (the files a build
 * leaves, with the policy the build writes): every kind of route, and the headers each gets.
 * production.integration.test.ts checks the same against a real `vite build`.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Address, Hex } from 'viem'
import { freePort } from '../../scripts/lib/ports.ts'
import { parseAppConfig } from '../../src/platform/configSchema.ts'
import { contentSecurityPolicy } from '../../src/platform/contentSecurityPolicy.ts'
import type { GrantStatus } from '../../src/domain/consent/grantStatus.ts'
import { newShareId, type ShlManifest } from '../../src/domain/shl/index.ts'
import type { ShareHostTarget } from '../../src/shareHost/client.ts'
import { BuiltAppError } from './builtApp.ts'
import type { GrantStatusReader } from './chain/grantStatus.ts'
import { createProductionApp, IMMUTABLE, NEVER_STORE, REVALIDATE, startProductionServer } from './production.ts'
import { readProductionConfig } from './productionConfig.ts'
import type { RunningShareHost } from './serve.ts'
import { fakeCommitment, makeShare, postManifest, signerOf, testAccount } from './testing/shareFixtures.ts'

const REGISTRY: Address = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const RPC_URL = 'http://127.0.0.1:9'
const VIEWER_ORIGIN = 'https://viewer.example.org'
const patient = testAccount(1)

class FakeGrants implements GrantStatusReader {
  readonly statuses = new Map<string, GrantStatus>()
  async statusOf(patientAddress: Address, commitment: Hex): Promise<GrantStatus> {
    return this.statuses.get(`${patientAddress.toLowerCase()}:${commitment}`) ?? 'unknown'
  }
}

const temporary: string[] = []
async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  temporary.push(dir)
  return dir
}
afterAll(async () => {
  for (const dir of temporary) await rm(dir, { recursive: true, force: true })
})

/** The policy `npm run build` writes for an app whose share host is `shareHostUrl`. */
const builtPolicy = (shareHostUrl: string) => contentSecurityPolicy(parseAppConfig({ CAREKEY_RPC_URL: RPC_URL, CAREKEY_SHARE_HOST_URL: shareHostUrl }))

const INDEX_MARKER = 'Opening CareKey…'

/** A built app as Vite leaves it: the policy in a meta tag (quotes written as &#39;), hashed assets. */
async function writeBuiltApp(shareHostUrl: string, policy = builtPolicy(shareHostUrl)): Promise<string> {
  const dist = await tempDir('carekey-dist-')
  await mkdir(join(dist, 'assets'))
  await mkdir(join(dist, 'icons'))
  const meta = `<meta http-equiv="Content-Security-Policy" content="${policy.replaceAll("'", '&#39;')}">`
  await writeFile(
    join(dist, 'index.html'),
    `<!doctype html><html><head>${meta}<script type="module" crossorigin src="/assets/index-DCQ0UQSC.js"></script></head><body>${INDEX_MARKER}</body></html>`,
  )
  await writeFile(join(dist, 'assets', 'index-DCQ0UQSC.js'), 'console.log("CareKey")')
  await writeFile(join(dist, 'assets', 'index-DCQ0UQSC.js.map'), '{"version":3}')
  await writeFile(join(dist, 'assets', 'index-DtZL_L3s.css'), 'body{}')
  await writeFile(join(dist, 'sw.js'), 'self.addEventListener("fetch", () => {})')
  await writeFile(join(dist, 'manifest.webmanifest'), '{"name":"CareKey"}')
  await writeFile(join(dist, 'icons', 'icon-192.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]))
  return dist
}

async function productionConfig(env: Record<string, string>) {
  return readProductionConfig({
    CAREKEY_CHAIN_ID: '31337',
    CAREKEY_RPC_URL: RPC_URL,
    CAREKEY_CONSENT_REGISTRY: REGISTRY,
    CAREKEY_SHARE_HOST_DATA_DIR: await tempDir('carekey-share-host-'),
    CAREKEY_SHARE_HOST_RATE_LIMIT: '0',
    ...env,
  })
}

/** The headers every response gets, app or share host. */
function expectCommonHeaders(response: Response, path: string) {
  const header = (name: string) => response.headers.get(name)
  expect(header('referrer-policy'), path).toBe('no-referrer')
  expect(header('x-content-type-options'), path).toBe('nosniff')
  expect(header('cross-origin-opener-policy'), path).toBe('same-origin')
  expect(header('x-frame-options'), path).toBe('DENY')
  const permissions = header('permissions-policy')?.split(', ') ?? []
  expect(permissions, path).toContain('camera=(self)')
  for (const denied of ['geolocation', 'microphone', 'payment', 'usb', 'serial', 'hid']) expect(permissions, path).toContain(`${denied}=()`)
  // Plain HTTP: strict transport security would be ignored, and would be wrong on a local run.
  expect(header('strict-transport-security'), path).toBeNull()
}

describe('npm start: the app and the share host on one origin', () => {
  let server: RunningShareHost
  let origin: string
  let policy: string
  const grants = new FakeGrants()

  beforeAll(async () => {
    const port = await freePort()
    origin = `http://localhost:${port}`
    policy = builtPolicy(origin)
    const config = await productionConfig({
      CAREKEY_SHARE_HOST_URL: origin,
      CAREKEY_SHARE_HOST_PORT: String(port),
      CAREKEY_DIST_DIR: await writeBuiltApp(origin),
    })
    server = await startProductionServer(config, { grants })
  })
  afterAll(async () => {
    await server.close()
  })

  type Expected = { status: number; type: RegExp; cacheControl: string; body?: string }
  const appRoutes: [string, Expected][] = [
    ['/', { status: 200, type: /^text\/html/, cacheControl: REVALIDATE, body: INDEX_MARKER }],
    ['/consent/xyz', { status: 200, type: /^text\/html/, cacheControl: REVALIDATE, body: INDEX_MARKER }],
    ['/records/new/allergy', { status: 200, type: /^text\/html/, cacheControl: REVALIDATE, body: INDEX_MARKER }],
    ['/index.html', { status: 200, type: /^text\/html/, cacheControl: REVALIDATE, body: INDEX_MARKER }],
    ['/assets/index-DCQ0UQSC.js', { status: 200, type: /^text\/javascript/, cacheControl: IMMUTABLE, body: 'console.log("CareKey")' }],
    ['/assets/index-DCQ0UQSC.js.map', { status: 200, type: /^application\/json/, cacheControl: IMMUTABLE }],
    ['/assets/index-DtZL_L3s.css', { status: 200, type: /^text\/css/, cacheControl: IMMUTABLE }],
    ['/sw.js', { status: 200, type: /^text\/javascript/, cacheControl: REVALIDATE }],
    ['/manifest.webmanifest', { status: 200, type: /^application\/manifest\+json/, cacheControl: REVALIDATE }],
    ['/icons/icon-192.png', { status: 200, type: /^image\/png/, cacheControl: REVALIDATE }],
    // A file that is not there is a 404, never the app in its place.
    ['/assets/index-AAAAAAAA.js', { status: 404, type: /^text\/plain/, cacheControl: REVALIDATE }],
    ['/icons/missing.png', { status: 404, type: /^text\/plain/, cacheControl: REVALIDATE }],
  ]

  it.each(appRoutes)('%s: the app’s file with the app’s policy and caching', async (path, expected) => {
    const response = await fetch(`${origin}${path}`)
    expect(response.status).toBe(expected.status)
    expect(response.headers.get('content-type')).toMatch(expected.type)
    expect(response.headers.get('cache-control')).toBe(expected.cacheControl)
    // The built app's own policy, plus what only a header can say.
    expect(response.headers.get('content-security-policy')).toBe(`${policy}; frame-ancestors 'none'`)
    expect(response.headers.get('cross-origin-resource-policy')).toBe('same-origin')
    expectCommonHeaders(response, path)
    const body = await response.text()
    if (expected.body !== undefined) expect(body).toContain(expected.body)
    if (expected.status === 404) expect(body).not.toContain(INDEX_MARKER)
  })

  const shareHostRoutes: [string, RequestInit, { status: number; error?: string }][] = [
    ['/health', {}, { status: 200 }],
    [`/shl/${newShareId()}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ recipient: 'Dr. Ada Lovelace' }) }, { status: 404, error: 'not_found' }],
    // A patient's request without its signature.
    [`/api/shares/${newShareId()}/access-log`, {}, { status: 401, error: 'unauthenticated' }],
    ['/api/no-such-route', {}, { status: 404, error: 'not_found' }],
    ['/api', {}, { status: 404, error: 'not_found' }],
  ]

  it.each(shareHostRoutes)('%s: the share host’s JSON, never stored, readable from other origins', async (path, init, expected) => {
    const response = await fetch(`${origin}${path}`, { ...init, headers: { ...init.headers, origin: VIEWER_ORIGIN } })
    expect(response.status).toBe(expected.status)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    const body = (await response.json()) as { error?: string }
    if (expected.error) expect(body.error).toBe(expected.error)
    expect(response.headers.get('cache-control')).toBe(NEVER_STORE)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin')
    // Data, not a page: nothing in it may load or run, and nothing may frame it.
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'")
    expectCommonHeaders(response, path)
  })

  it('lets a SMART Health Links viewer on another origin open a share: preflight, manifest and file', async () => {
    const target: ShareHostTarget = { hostUrl: origin, chainId: 31337, registry: REGISTRY }
    const commitment = fakeCommitment(newShareId())
    grants.statuses.set(`${patient.address.toLowerCase()}:${commitment}`, 'active')
    const share = await makeShare(target, signerOf(patient), { commitment })

    const preflight = await fetch(share.manifestUrl, {
      method: 'OPTIONS',
      headers: { origin: VIEWER_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*')
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST')
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type')

    const crossOrigin = (url: string, init: RequestInit = {}) => fetch(url, { ...init, headers: { ...init.headers, origin: VIEWER_ORIGIN } })
    const manifestReply = await postManifest(crossOrigin, share.manifestUrl, { recipient: 'Dr. Ada Lovelace', embeddedLengthMax: 0 })
    expect(manifestReply.status).toBe(200)
    expect(manifestReply.headers.get('access-control-allow-origin')).toBe('*')
    expect(manifestReply.headers.get('cross-origin-resource-policy')).toBe('cross-origin')
    expect(manifestReply.headers.get('cache-control')).toBe(NEVER_STORE)
    const manifest = (await manifestReply.json()) as ShlManifest
    const location = manifest.files[0]?.location ?? ''
    expect(location.startsWith(`${origin}/shl/${share.id}/files/`)).toBe(true)

    const file = await crossOrigin(location)
    expect(file.status).toBe(200)
    expect(file.headers.get('content-type')).toBe('application/jose')
    expect(file.headers.get('access-control-allow-origin')).toBe('*')
    expect(file.headers.get('cross-origin-resource-policy')).toBe('cross-origin')
    expect(file.headers.get('cache-control')).toBe(NEVER_STORE)
    expect(await file.text()).toBe(share.jwe)
  })

  it('answers HEAD like GET without a body, and refuses other methods on the app’s paths', async () => {
    const head = await fetch(`${origin}/consent/xyz`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-security-policy')).toBe(`${policy}; frame-ancestors 'none'`)
    expect(await head.text()).toBe('')

    const post = await fetch(`${origin}/consent/xyz`, { method: 'POST', body: 'x' })
    expect(post.status).toBe(405)
    expect(post.headers.get('allow')).toBe('GET, HEAD')
  })

  it('serves nothing from outside the built app', async () => {
    for (const path of ['/..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json']) {
      const response = await fetch(`${origin}${path}`)
      expect(await response.text(), path).not.toContain('"name": "carekey"')
    }
  })
})

describe('npm start: strict transport security only behind TLS', () => {
  async function app(env: Record<string, string>) {
    const publicUrl = env.CAREKEY_SHARE_HOST_URL ?? 'http://localhost:8787'
    const config = await productionConfig({ CAREKEY_SHARE_HOST_URL: publicUrl, ...env })
    return createProductionApp(config.shareHost, { distDir: await writeBuiltApp(publicUrl), deps: { grants: new FakeGrants() } })
  }
  const hsts = async (served: Awaited<ReturnType<typeof app>>, path: string, headers: Record<string, string> = {}) =>
    (await served.request(path, { headers })).headers.get('strict-transport-security')

  it('sends it on every route when the public address is https', async () => {
    const served = await app({ CAREKEY_SHARE_HOST_URL: 'https://carekey.example.org' })
    for (const path of ['/', '/consent/xyz', '/assets/index-DCQ0UQSC.js', '/health', '/api/no-such-route']) {
      expect(await hsts(served, path), path).toMatch(/^max-age=\d{7,}/)
    }
  })

  it('sends it when a trusted proxy says the browser came over https, and only then', async () => {
    const trusting = await app({ CAREKEY_SHARE_HOST_TRUST_PROXY: 'true' })
    for (const path of ['/', '/health']) {
      expect(await hsts(trusting, path, { 'x-forwarded-proto': 'https' }), path).toMatch(/^max-age=\d{7,}/)
      expect(await hsts(trusting, path, { 'x-forwarded-proto': 'http' }), path).toBeNull()
      expect(await hsts(trusting, path), path).toBeNull()
    }
    // Without a trusted proxy, anyone could write the header: it is ignored.
    const untrusting = await app({})
    for (const path of ['/', '/health']) expect(await hsts(untrusting, path, { 'x-forwarded-proto': 'https' }), path).toBeNull()
  })
})

describe('npm start: refusing to serve the wrong app', () => {
  it('says to run `npm run build` when there is no built app', async () => {
    const config = await productionConfig({ CAREKEY_DIST_DIR: join(await tempDir('carekey-empty-'), 'dist') })
    expect(() => createProductionApp(config.shareHost, { distDir: config.distDir })).toThrow(BuiltAppError)
    expect(() => createProductionApp(config.shareHost, { distDir: config.distDir })).toThrow(/no index\.html\)\. Run `npm run build` first/)
  })

  it('refuses an app built for another share host, and says which address to build it for', async () => {
    const config = await productionConfig({ CAREKEY_SHARE_HOST_URL: 'https://carekey.example.org' })
    const dist = await writeBuiltApp('http://localhost:8787')
    expect(() => createProductionApp(config.shareHost, { distDir: dist })).toThrow(
      /built for another share host than this server \(https:\/\/carekey\.example\.org\).*CAREKEY_SHARE_HOST_URL=https:\/\/carekey\.example\.org/,
    )
  })

  it('refuses an index.html without the build’s policy', async () => {
    const dist = await tempDir('carekey-dist-')
    await writeFile(join(dist, 'index.html'), '<!doctype html><title>Something else</title>')
    const config = await productionConfig({})
    expect(() => createProductionApp(config.shareHost, { distDir: dist })).toThrow(/has no content security policy/)
  })
})

describe('readProductionConfig', () => {
  it('serves dist/ by default, or the folder CAREKEY_DIST_DIR names', async () => {
    expect((await productionConfig({})).distDir).toBe('dist')
    expect((await productionConfig({ CAREKEY_DIST_DIR: 'build/app' })).distDir).toBe('build/app')
  })

  it('refuses a public address with a path, and an empty CAREKEY_DIST_DIR, naming each', async () => {
    await expect(productionConfig({ CAREKEY_SHARE_HOST_URL: 'https://example.org/carekey', CAREKEY_DIST_DIR: ' ' })).rejects.toThrow(
      /CAREKEY_DIST_DIR: must name a folder\n {2}CAREKEY_SHARE_HOST_URL: must be the address people open the app at, with no path \(such as https:\/\/example\.org\)/,
    )
  })
})
