/**
 * `npm run check:supply-chain` (the first step of `npm test`): checks package-lock.json (every
 * package from the npm registry, by URL and sha512 integrity hash), the install scripts (only
 * those package.json's `allowScripts` approves at the installed version) and, where the
 * registry answers, `npm audit` (no high or critical advisory on a package that ships).
 *
 * `-- --run-install-scripts`: the same lockfile and install-script checks without the audit,
 * then runs the approved install scripts (`npm rebuild <names>`). CI installs with
 * `npm ci --ignore-scripts` and then this, so no unapproved install script runs there, with
 * any version of npm.
 *
 * `-- --add-resolved`: writes the registry URL into lockfile entries that have none (npm leaves
 * it out under `omit-lockfile-registry-resolved`, which the project's .npmrc turns off).
 *
 * CAREKEY_AUDIT_REQUIRED=1 fails the check when the registry gives no audit report (for a CI
 * that always has the registry); otherwise a missing report is a notice.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { readFile, writeFile } from 'node:fs/promises'
import {
  addRegistryResolved,
  checkInstallScripts,
  checkLockfileSources,
  FAILING_SEVERITIES,
  installScriptPackages,
  judgeAudit,
  parseAllowScripts,
  parseLockfile,
  reviewAdvice,
  type Lockfile,
} from './lib/supplyChain.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
/** npm audit is one request; a registry that does not answer in this time is taken as absent. */
const AUDIT_TIMEOUT_MS = 20_000

async function main(): Promise<number> {
  const lockPath = `${ROOT}package-lock.json`
  if (process.argv.includes('--add-resolved')) {
    const { text, added } = addRegistryResolved(await readFile(lockPath, 'utf8'))
    await writeFile(lockPath, text)
    console.log(`supply chain: wrote the registry URL of ${added} package(s) into package-lock.json`)
    return 0
  }
  const runInstallScripts = process.argv.includes('--run-install-scripts')
  const lock = parseLockfile(await readFile(lockPath, 'utf8'))
  const policy = parseAllowScripts(await readFile(`${ROOT}package.json`, 'utf8'))
  let failed = false

  const sources = checkLockfileSources(lock)
  if (sources.length > 0) {
    failed = true
    console.error(`supply chain: ${sources.length} package(s) in package-lock.json do not name a registry tarball pinned by a sha512 integrity hash:`)
    for (const line of sources.slice(0, 50)) console.error(`  ${line}`)
    if (sources.length > 50) console.error(`  … and ${sources.length - 50} more`)
    console.error(
      'Install packages from the registry only (npm install <name>@<version>) and commit the lockfile npm writes. Entries that only\n' +
        'lack their URL (written where npm omits it) are filled in by `npm run check:supply-chain -- --add-resolved`.',
    )
  } else {
    const installed = Object.entries(lock.packages).filter(([path, entry]) => path.includes('node_modules/') && !entry.link)
    const bundled = installed.filter(([, entry]) => entry.inBundle).length
    console.log(`supply chain: ${installed.length - bundled} packages from the npm registry, each pinned by a sha512 integrity hash (and ${bundled} bundled inside them)`)
  }

  const scripts = checkInstallScripts(lock, policy)
  if (scripts.problems.length > 0) {
    failed = true
    console.error("supply chain: install scripts that package.json's allowScripts does not approve:")
    for (const line of scripts.problems) console.error(`  ${line}`)
    console.error(reviewAdvice())
  } else {
    const list = installScriptPackages(lock).map((p) => `${p.name} ${p.version}`)
    console.log(`supply chain: install scripts only where package.json approves them (${list.join(', ') || 'none'})`)
  }
  if (scripts.unused.length > 0) console.log(`supply chain: notice: allowScripts entries no installed package needs (${scripts.unused.join(', ')}); \`npm install-scripts prune\` removes them`)

  if (failed) return 1
  if (runInstallScripts) return rebuild(approved(lock, policy))
  return (await audit(lock)) ? 0 : 1
}

/** Names of installed packages whose install script package.json approves (for `npm rebuild`). */
function approved(lock: Lockfile, policy: Record<string, boolean>): string[] {
  const names = installScriptPackages(lock).map((p) => p.name)
  const denied = new Set(Object.entries(policy).filter(([, allow]) => !allow).map(([key]) => key))
  return [...new Set(names)].filter((name) => !denied.has(name))
}

async function rebuild(names: string[]): Promise<number> {
  if (names.length === 0) return 0
  console.log(`supply chain: running the allowed install scripts: npm rebuild ${names.join(' ')}`)
  const { code } = await run('npm', ['rebuild', ...names], { inherit: true })
  return code === 0 ? 0 : 1
}

/** Runs npm audit; true when it passes (or gave no report and none is required). */
async function audit(lock: Lockfile): Promise<boolean> {
  const required = process.env.CAREKEY_AUDIT_REQUIRED === '1'
  const { stdout, timedOut } = await run('npm', ['audit', '--json', '--fetch-retries=0', `--fetch-timeout=${AUDIT_TIMEOUT_MS}`], { timeoutMs: AUDIT_TIMEOUT_MS })
  const verdict = timedOut ? { kind: 'unavailable' as const, reason: `no answer within ${AUDIT_TIMEOUT_MS / 1000} s` } : judgeAudit(stdout, lock)
  if (verdict.kind === 'unavailable') {
    const notice = `supply chain: npm audit: the registry gave no report (${verdict.reason.split('\n')[0] ?? ''}); advisories were not checked`
    if (required) {
      console.error(`${notice}, and CAREKEY_AUDIT_REQUIRED=1 asks for them`)
      return false
    }
    console.log(`${notice}. Run \`npm audit\` where the registry answers, or set CAREKEY_AUDIT_REQUIRED=1 in a CI that has it.`)
    return true
  }
  for (const line of verdict.devOnly) console.log(`supply chain: npm audit (development tools only, not failing): ${line}`)
  if (verdict.failing.length > 0) {
    console.error(`supply chain: npm audit: ${FAILING_SEVERITIES.join(' or ')} advisories on packages the app or the share host ships:`)
    for (const line of verdict.failing) console.error(`  ${line}`)
    console.error('Upgrade the package (npm update <name>, or an "overrides" entry in package.json for a nested one), or replace it.')
    return false
  }
  console.log(`supply chain: npm audit: no ${FAILING_SEVERITIES.join(' or ')} advisories on shipped packages (${verdict.minor} lower-severity, ${verdict.devOnly.length} in development tools only)`)
  return true
}

function run(command: string, args: string[], options: { timeoutMs?: number; inherit?: boolean }): Promise<{ code: number | null; stdout: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: options.inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let timedOut = false
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr?.resume()
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => ((timedOut = true), child.kill('SIGKILL')), options.timeoutMs)
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, timedOut })
    })
  })
}

process.exitCode = await main()
