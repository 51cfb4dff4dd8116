/**
 * Supply-chain checks of the dependency tree, as pure functions over package-lock.json and
 * `npm audit --json` (the command line is scripts/supply-chain.ts, run first by `npm test`):
 *
 *  - every package comes from the npm registry: its tarball URL there (`resolved`) and a sha512
 *    integrity hash of it;
 *  - only packages approved at a reviewed version (package.json `allowScripts`) run install scripts;
 *  - no high or critical advisory touches a package the app or the share host ships.
 */
import { z } from 'zod'

/** The only registry packages may come from. */
export const REGISTRY = 'https://registry.npmjs.org/'

const entrySchema = z.looseObject({
  name: z.string().optional(),
  version: z.string().optional(),
  resolved: z.string().optional(),
  integrity: z.string().optional(),
  link: z.boolean().optional(),
  inBundle: z.boolean().optional(),
  dev: z.boolean().optional(),
  hasInstallScript: z.boolean().optional(),
})
const lockfileSchema = z.looseObject({
  lockfileVersion: z.number(),
  packages: z.record(z.string(), entrySchema),
})

export type Lockfile = z.infer<typeof lockfileSchema>
export type LockEntry = z.infer<typeof entrySchema>

/**
 * Reads package-lock.json's text (lockfile version 2 or 3, the ones with a `packages` map).
 *
 * @example
 * const lock = parseLockfile(await readFile('package-lock.json', 'utf8'))
 */
export function parseLockfile(text: string): Lockfile {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (cause) {
    throw new Error('package-lock.json is not JSON', { cause })
  }
  const lock = lockfileSchema.safeParse(json)
  if (!lock.success) throw new Error(`package-lock.json has no "packages" map (lockfile version 2 or 3, written by npm 7 or newer): ${lock.error.issues[0]?.message ?? ''}`)
  if (lock.data.lockfileVersion < 2) throw new Error(`package-lock.json is lockfile version ${lock.data.lockfileVersion}; run npm install with npm 7 or newer to write version 3`)
  return lock.data
}

/** The package name of a lockfile entry: its own `name` (an alias), else the last `node_modules/` part of its path. */
export function packageName(path: string, entry: LockEntry): string {
  return entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)
}

/**
 * The tarball URL the registry serves a version from:
 * `https://registry.npmjs.org/<name>/-/<name without scope>-<version>.tgz`.
 *
 * @example
 * registryTarball('@scure/bip39', '1.6.0') // 'https://registry.npmjs.org/@scure/bip39/-/bip39-1.6.0.tgz'
 */
export function registryTarball(name: string, version: string): string {
  return `${REGISTRY}${name}/-/${name.slice(name.indexOf('/') + 1)}-${version}.tgz`
}

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/
const SHA512 = /^sha512-[A-Za-z0-9+/]{86}==$/

/**
 * Problems with where packages come from, one line each. Every entry but the project itself,
 * its workspace folders and links to them, and packages bundled inside another package's
 * tarball must name its tarball on the registry (`resolved`, exactly that name and version: no
 * git, file, http or other hosts) and pin it with a sha512 `integrity`. npm reads a package's
 * identity from that URL, not from the tarball, when it decides whose install scripts may run.
 *
 * @example
 * checkLockfileSources(lock) // ['node_modules/left-pad: comes from git+ssh://git@github.com/…, not the npm registry']
 */
export function checkLockfileSources(lock: Lockfile): string[] {
  const problems: string[] = []
  for (const [path, entry] of installedEntries(lock)) {
    if (entry.link) {
      if (entry.resolved !== undefined && /^([a-z+]+:|\.\.|\/)/i.test(entry.resolved)) problems.push(`${path}: links to ${entry.resolved}, outside the project`)
      continue
    }
    const name = packageName(path, entry)
    if (entry.resolved !== undefined && !entry.resolved.startsWith(REGISTRY)) {
      problems.push(`${path}: comes from ${entry.resolved}, not the npm registry`)
      continue
    }
    if (entry.version === undefined || !SEMVER.test(entry.version)) {
      problems.push(`${path}: has no registry version (${entry.version ?? 'none'})`)
      continue
    }
    if (entry.resolved === undefined) problems.push(`${path}: has no resolved URL`)
    else if (entry.resolved !== registryTarball(name, entry.version)) {
      problems.push(`${path}: resolves to ${entry.resolved}, which is not ${name}@${entry.version} (${registryTarball(name, entry.version)})`)
    }
    if (entry.integrity === undefined) problems.push(`${path}: has no integrity hash`)
    else if (!SHA512.test(entry.integrity)) problems.push(`${path}: its integrity is not a sha512 hash (${entry.integrity.slice(0, 12)}…)`)
  }
  return problems
}

/** Entries npm installs from somewhere: not the project, its workspace folders or bundled packages. */
function installedEntries(lock: Lockfile): [string, LockEntry][] {
  return Object.entries(lock.packages).filter(([path, entry]) => path.includes('node_modules/') && entry.inBundle !== true)
}

/**
 * package-lock.json's text with the registry URL written into every registry package that has
 * none (npm leaves them out under `omit-lockfile-registry-resolved`): the tarball of that name
 * and version, as the registry serves it, after `version` as npm writes it. Entries that are
 * not plain registry versions with a sha512 integrity are left as they are (for the check to
 * name). Returns the text and the number of URLs added.
 *
 * @example
 * const { text, added } = addRegistryResolved(await readFile('package-lock.json', 'utf8'))
 */
export function addRegistryResolved(lockText: string): { text: string; added: number } {
  const json = JSON.parse(lockText) as { packages?: Record<string, Record<string, unknown>> }
  const lock = parseLockfile(lockText)
  let added = 0
  for (const [path, entry] of installedEntries(lock)) {
    const raw = json.packages?.[path]
    const { version, integrity } = entry
    if (!raw || entry.link || entry.resolved !== undefined || version === undefined || !SEMVER.test(version) || integrity === undefined || !SHA512.test(integrity)) continue
    const withResolved: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(raw)) {
      withResolved[key] = value
      if (key === 'version') withResolved.resolved = registryTarball(packageName(path, entry), version)
    }
    if (json.packages) json.packages[path] = withResolved
    added++
  }
  return { text: `${JSON.stringify(json, null, 2)}\n`, added }
}

/**
 * The install-script policy of package.json (`allowScripts`, npm's own: `"name@version": true`
 * approves that version, `"name": false` denies any).
 *
 * @example
 * const policy = parseAllowScripts(await readFile('package.json', 'utf8')) // { 'esbuild@0.28.2': true }
 */
export function parseAllowScripts(packageJsonText: string): Record<string, boolean> {
  const packageJson = z.looseObject({ allowScripts: z.record(z.string(), z.boolean()).optional() }).parse(JSON.parse(packageJsonText))
  return packageJson.allowScripts ?? {}
}

/** Every package in the lockfile whose install script npm would run (preinstall, install, postinstall or a binding.gyp). */
export function installScriptPackages(lock: Lockfile): { path: string; name: string; version: string }[] {
  return installedEntries(lock)
    .filter(([, entry]) => entry.hasInstallScript === true)
    .map(([path, entry]) => ({ path, name: packageName(path, entry), version: entry.version ?? '?' }))
}

/**
 * Checks the lockfile's install scripts against package.json's `allowScripts`: each must be
 * approved for its exact version (`"esbuild@0.28.2": true`, or `"pkg@1.0.0 || 1.0.1"`) or
 * denied by name (`"pkg": false`, so it never runs). `problems` names every other one, and
 * name-only approvals, which would let any future version run unreviewed; `unused` lists
 * entries that no installed package matches.
 *
 * @example
 * const { problems } = checkInstallScripts(lock, { 'esbuild@0.28.2': true }) // ['evil-pkg@1.0.0 (node_modules/evil-pkg) runs an install script that package.json does not approve']
 */
export function checkInstallScripts(lock: Lockfile, policy: Record<string, boolean>): { problems: string[]; unused: string[] } {
  const rules = Object.entries(policy).map(([key, allow]) => ({ key, allow, ...splitSpec(key) }))
  const matches = (rule: (typeof rules)[number], pkg: { name: string; version: string }) =>
    rule.name === pkg.name && (rule.versions === undefined || rule.versions.includes(pkg.version))
  const found = installScriptPackages(lock)
  const problems: string[] = []
  for (const pkg of found) {
    const { path, name, version } = pkg
    const applying = rules.filter((rule) => matches(rule, pkg))
    if (applying.some((rule) => !rule.allow)) continue // denied: npm never runs it
    if (applying.some((rule) => rule.versions !== undefined)) continue // approved at this version
    if (applying.length > 0) {
      problems.push(`${name}@${version} (${path}) is approved by name only ("${name}": true), which lets any future version run unreviewed: approve "${name}@${version}" instead`)
      continue
    }
    const otherVersions = rules.filter((rule) => rule.name === name && rule.allow).flatMap((rule) => rule.versions ?? [])
    problems.push(
      otherVersions.length > 0
        ? `${name}@${version} (${path}) runs an install script; package.json approves it at ${otherVersions.join(', ')} only`
        : `${name}@${version} (${path}) runs an install script that package.json does not approve`,
    )
  }
  const unused = rules.filter((rule) => !found.some((pkg) => matches(rule, pkg))).map((rule) => rule.key)
  return { problems, unused }
}

/** `esbuild@0.28.2` → name and versions; `@scope/pkg` (no version) → name only. */
function splitSpec(key: string): { name: string; versions: string[] | undefined } {
  const at = key.indexOf('@', 1)
  if (at < 0) return { name: key, versions: undefined }
  const spec = key.slice(at + 1).trim()
  if (spec === '' || spec === '*') return { name: key.slice(0, at), versions: undefined }
  return { name: key.slice(0, at), versions: spec.split('||').map((v) => v.trim()) }
}

/** How to review a package's install script and approve it, for the failure message. */
export function reviewAdvice(): string {
  return [
    'An install script runs on every machine that installs the dependencies, before any test. To accept one:',
    '  1. read what it runs: `npm install-scripts ls` lists them; read the "preinstall", "install" and "postinstall"',
    '     entries of node_modules/<name>/package.json and the files they call; look for downloads, and for anything',
    "     beyond building or locating the package's own binary;",
    '  2. prefer a version or an alternative without one, or deny it (`npm install-scripts deny <name>`) if the',
    '     package works without it;',
    '  3. if it is acceptable, `npm install-scripts approve <name>` writes "<name>@<version>": true into package.json\'s',
    '     allowScripts; say in the commit message what the script does, so that the review is itself reviewed.',
  ].join('\n')
}

// ---------------------------------------------------------------------------------------------
// npm audit

/** The severities that fail the check when they touch a package that ships. */
export const FAILING_SEVERITIES = ['high', 'critical'] as const

const advisorySchema = z.looseObject({ title: z.string().optional(), url: z.string().optional(), severity: z.string().optional(), name: z.string().optional() })
const auditReportSchema = z.looseObject({
  auditReportVersion: z.number(),
  vulnerabilities: z.record(
    z.string(),
    z.looseObject({
      name: z.string(),
      severity: z.string(),
      via: z.array(z.union([z.string(), advisorySchema])),
      nodes: z.array(z.string()),
    }),
  ),
})

/** What an audit concluded: `unavailable` when the registry gave no report (offline, refused, timed out). */
export type AuditVerdict =
  | { kind: 'unavailable'; reason: string }
  | { kind: 'report'; failing: string[]; devOnly: string[]; minor: number }

/**
 * Reads `npm audit --json` output against the lockfile: high and critical advisories on a
 * package that any non-dev dependency pulls in fail (`failing`); those only in development
 * tools are listed in `devOnly`; lower severities are counted in `minor`. Output that is not a
 * report (npm's error object, an empty reply) makes the verdict `unavailable`.
 *
 * @example
 * const verdict = judgeAudit(stdout, lock)
 * if (verdict.kind === 'report' && verdict.failing.length > 0) process.exitCode = 1
 */
export function judgeAudit(output: string, lock: Lockfile): AuditVerdict {
  let json: unknown
  try {
    json = JSON.parse(output)
  } catch {
    return { kind: 'unavailable', reason: output.trim() === '' ? 'npm audit printed nothing' : 'npm audit did not print JSON' }
  }
  const report = auditReportSchema.safeParse(json)
  if (!report.success) return { kind: 'unavailable', reason: auditErrorOf(json) }
  const failing: string[] = []
  const devOnly: string[] = []
  let minor = 0
  for (const vulnerability of Object.values(report.data.vulnerabilities)) {
    if (!(FAILING_SEVERITIES as readonly string[]).includes(vulnerability.severity)) {
      minor++
      continue
    }
    const advisories = vulnerability.via.flatMap((via) => (typeof via === 'string' ? [] : [`${via.title ?? 'advisory'}${via.url ? ` (${via.url})` : ''}`]))
    const line = `${vulnerability.name} [${vulnerability.severity}]: ${advisories.length > 0 ? advisories.join('; ') : `through ${vulnerability.via.map(String).join(', ')}`}`
    const ships = vulnerability.nodes.some((node) => lock.packages[node]?.dev !== true)
    if (ships) failing.push(line)
    else devOnly.push(line)
  }
  return { kind: 'report', failing, devOnly, minor }
}

function auditErrorOf(json: unknown): string {
  if (typeof json !== 'object' || json === null) return 'npm audit gave no report'
  const error: unknown = Reflect.get(json, 'error')
  const summary: unknown = typeof error === 'object' && error !== null ? Reflect.get(error, 'summary') : undefined
  const message: unknown = Reflect.get(json, 'message')
  if (typeof message === 'string' && message !== '') return message
  if (typeof summary === 'string' && summary !== '') return summary
  return 'npm audit gave no report'
}
