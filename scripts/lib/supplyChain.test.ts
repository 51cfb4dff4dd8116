import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { addRegistryResolved, checkInstallScripts, checkLockfileSources, judgeAudit, parseAllowScripts, parseLockfile, registryTarball, type Lockfile } from './supplyChain.ts'

const fixtureText = (name: string) => readFileSync(new URL(`./fixtures/supply-chain/${name}.package-lock.json`, import.meta.url), 'utf8')
const fixture = (name: string): Lockfile => parseLockfile(fixtureText(name))
/** package.json's allowScripts as `npm install-scripts approve esbuild` writes it. */
const allowed = { 'esbuild@0.28.2': true }

/** The good fixture with one entry replaced (or removed, with `undefined`). */
function goodWith(path: string, entry: Record<string, unknown> | undefined): Lockfile {
  const lock = structuredClone(fixture('good'))
  if (entry === undefined) Reflect.deleteProperty(lock.packages, path)
  else lock.packages[path] = entry
  return lock
}

const sha512 = 'sha512-XRcglhh3p2lHAu4gFg75i5owZ3/uttIZh11iKj+W2fqc4Iu8OvwIHkDSftaw4gURo0WA2fT2oguwTa4HChLwJw=='

describe('the lockfile check', () => {
  it('passes registry tarballs pinned by sha512 (aliases and scoped packages too), and skips the project, workspaces, links and bundled packages', () => {
    expect(checkLockfileSources(fixture('good'))).toEqual([])
  })

  it('names a package that comes from git', () => {
    expect(checkLockfileSources(fixture('git-url'))).toEqual([
      'node_modules/left-pad: comes from git+ssh://git@github.com/left-pad/left-pad.git#5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c, not the npm registry',
    ])
  })

  it('names a package without an integrity hash', () => {
    expect(checkLockfileSources(fixture('missing-integrity'))).toEqual(['node_modules/@noble/hashes: has no integrity hash'])
  })

  it('names tarballs from other hosts, plain http, a folder, another package or version, and weaker hashes', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ version: '1.3.0', integrity: sha512 }, 'has no resolved URL'],
      [{ version: '1.3.0', resolved: 'http://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz', integrity: sha512 }, 'comes from http://registry.npmjs.org/'],
      [{ version: '1.3.0', resolved: 'https://registry.example.com/left-pad/-/left-pad-1.3.0.tgz', integrity: sha512 }, 'not the npm registry'],
      [{ version: '1.3.0', resolved: 'file:../left-pad-1.3.0.tgz', integrity: sha512 }, 'comes from file:../left-pad'],
      [{ version: '1.3.0', resolved: 'https://registry.npmjs.org/evil-pad/-/evil-pad-1.3.0.tgz', integrity: sha512 }, 'which is not left-pad@1.3.0'],
      [{ version: '1.3.0', resolved: 'https://registry.npmjs.org/left-pad/-/left-pad-1.2.0.tgz', integrity: sha512 }, 'which is not left-pad@1.3.0'],
      [{ version: '1.3.0', resolved: registryTarball('left-pad', '1.3.0'), integrity: 'sha1-zHfwkoxUBnyCE4Zw4x2jdeGnIZE=' }, 'its integrity is not a sha512 hash'],
      [{ version: 'github:left-pad/left-pad', integrity: sha512 }, 'has no registry version'],
      [{ version: '1.3.0', link: true, resolved: '../elsewhere/left-pad' }, 'links to ../elsewhere/left-pad, outside the project'],
    ]
    for (const [entry, problem] of cases) {
      const problems = checkLockfileSources(goodWith('node_modules/left-pad', entry))
      expect(problems).toHaveLength(1)
      expect(problems[0]).toContain(problem)
    }
  })

  it('refuses a lockfile without a packages map (version 1)', () => {
    expect(() => parseLockfile(JSON.stringify({ lockfileVersion: 1, dependencies: {} }))).toThrow(/no "packages" map/)
  })

  it('writes the registry URL into entries npm wrote without one, after their version, and nowhere else', () => {
    const good = fixtureText('good')
    const stripped = JSON.parse(good) as { packages: Record<string, Record<string, unknown>> }
    for (const entry of Object.values(stripped.packages)) if (typeof entry.resolved === 'string' && entry.resolved.startsWith('https:')) delete entry.resolved
    const { text, added } = addRegistryResolved(JSON.stringify(stripped, null, 2))
    expect(added).toBe(6)
    expect(text).toBe(good)
    // A git entry is left for the check to name, not dressed up as a registry one.
    expect(addRegistryResolved(fixtureText('git-url')).added).toBe(0)
  })

  it('builds the registry tarball URL of scoped and unscoped packages', () => {
    expect(registryTarball('@noble/hashes', '1.8.0')).toBe('https://registry.npmjs.org/@noble/hashes/-/hashes-1.8.0.tgz')
    expect(registryTarball('left-pad', '1.3.0')).toBe('https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz')
  })
})

describe("the install scripts package.json's allowScripts approves", () => {
  it('passes when only packages approved at their installed version run install scripts', () => {
    expect(checkInstallScripts(fixture('good'), allowed)).toEqual({ problems: [], unused: [] })
  })

  it('names a new package that runs an install script', () => {
    expect(checkInstallScripts(fixture('new-install-script'), allowed).problems).toEqual([
      'postinstall-surprise@6.6.6 (node_modules/postinstall-surprise) runs an install script that package.json does not approve',
    ])
  })

  it('names an approved package at a version whose script was not reviewed, and an approval by name only', () => {
    const bumped = goodWith('node_modules/esbuild', { version: '0.28.3', resolved: registryTarball('esbuild', '0.28.3'), integrity: sha512, dev: true, hasInstallScript: true })
    expect(checkInstallScripts(bumped, allowed).problems).toEqual([
      'esbuild@0.28.3 (node_modules/esbuild) runs an install script; package.json approves it at 0.28.2 only',
    ])
    expect(checkInstallScripts(fixture('good'), { esbuild: true }).problems).toEqual([
      'esbuild@0.28.2 (node_modules/esbuild) is approved by name only ("esbuild": true), which lets any future version run unreviewed: approve "esbuild@0.28.2" instead',
    ])
  })

  it('accepts a denied package (npm never runs its script) and several reviewed versions', () => {
    expect(checkInstallScripts(fixture('new-install-script'), { ...allowed, 'postinstall-surprise': false }).problems).toEqual([])
    expect(checkInstallScripts(fixture('good'), { 'esbuild@0.28.1 || 0.28.2': true }).problems).toEqual([])
  })

  it('lists entries no installed package needs, and takes no prototype key for an approval', () => {
    expect(checkInstallScripts(goodWith('node_modules/esbuild', undefined), allowed)).toEqual({ problems: [], unused: ['esbuild@0.28.2'] })
    const constructorScript = goodWith('node_modules/constructor', { version: '1.0.0', resolved: registryTarball('constructor', '1.0.0'), integrity: sha512, hasInstallScript: true })
    expect(checkInstallScripts(constructorScript, allowed).problems).toEqual([
      'constructor@1.0.0 (node_modules/constructor) runs an install script that package.json does not approve',
    ])
  })

  it("reads the project's package.json", () => {
    const policy = parseAllowScripts(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
    for (const [key, allow] of Object.entries(policy)) expect(allow === false || /^(@[^/]+\/)?[^@]+@\d/.test(key)).toBe(true)
  })
})

describe('the npm audit verdict', () => {
  const report = (vulnerabilities: Record<string, unknown>) => JSON.stringify({ auditReportVersion: 2, vulnerabilities, metadata: {} })
  const advisory = (name: string, severity: string, node: string) => ({
    name,
    severity,
    isDirect: false,
    via: [{ source: 1, name, title: `${name} is vulnerable`, url: `https://github.com/advisories/GHSA-${name}`, severity }],
    effects: [],
    nodes: [node],
  })

  it('fails on high and critical advisories for shipped packages, lists those of development tools, counts the rest', () => {
    const verdict = judgeAudit(
      report({
        jose: advisory('jose', 'critical', 'node_modules/jose-v4'),
        esbuild: advisory('esbuild', 'high', 'node_modules/esbuild'),
        'left-pad': advisory('left-pad', 'moderate', 'node_modules/left-pad'),
      }),
      fixture('good'),
    )
    expect(verdict).toEqual({
      kind: 'report',
      failing: ['jose [critical]: jose is vulnerable (https://github.com/advisories/GHSA-jose)'],
      devOnly: ['esbuild [high]: esbuild is vulnerable (https://github.com/advisories/GHSA-esbuild)'],
      minor: 1,
    })
  })

  it('passes a clean report', () => {
    expect(judgeAudit(report({}), fixture('good'))).toEqual({ kind: 'report', failing: [], devOnly: [], minor: 0 })
  })

  it('takes an error from the registry, or no output, as no report', () => {
    const refused = JSON.stringify({ message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk', statusCode: 405 })
    expect(judgeAudit(refused, fixture('good'))).toEqual({ kind: 'unavailable', reason: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk' })
    expect(judgeAudit(JSON.stringify({ error: { code: 'ENOTFOUND', summary: 'getaddrinfo ENOTFOUND registry.npmjs.org' } }), fixture('good'))).toEqual({
      kind: 'unavailable',
      reason: 'getaddrinfo ENOTFOUND registry.npmjs.org',
    })
    expect(judgeAudit('', fixture('good')).kind).toBe('unavailable')
  })
})
