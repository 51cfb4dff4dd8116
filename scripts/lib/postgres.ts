import { execFile, execFileSync } from 'node:child_process'
import { accessSync, constants, existsSync, readdirSync, realpathSync, rmSync } from 'node:fs'
import { appendFile, chown, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { Client } from 'pg'
import { freePort } from './ports.ts'

/** The superuser of every throwaway cluster (trust authentication, no password). */
export const POSTGRES_SUPERUSER = 'carekey'

/** The Debian package that brings initdb, pg_ctl and postgres. */
export const POSTGRES_DEBIAN_PACKAGE = 'postgresql'

/**
 * A throwaway PostgreSQL cluster started by {@link startPostgres}: its own data folder, port
 * and unix socket, trust authentication for the `carekey` superuser on 127.0.0.1 only.
 */
export type PostgresCluster = {
  /** `postgres://carekey@127.0.0.1:<port>/postgres` (the cluster's default database). */
  readonly url: string
  readonly port: number
  /** The temporary folder holding the data directory, the socket and the server log. */
  readonly dir: string
  /** Creates a fresh, empty database with a unique name and resolves its URL. */
  newDatabase(): Promise<string>
  /** Stops the server but keeps its data (for tests of a database that goes away mid-run). */
  stopServer(): Promise<void>
  /** Starts the server again on the same port with the same data, after {@link stopServer}. */
  startServer(): Promise<void>
  /** True between a start and a stop of the server. */
  readonly running: boolean
  /** Stops the server (if running) and removes the whole folder. */
  stop(): Promise<void>
}

export type StartPostgresOptions = {
  /** Where initdb, pg_ctl and postgres are; found on its own when absent (see {@link findPostgresBinaries}). */
  binDir?: string
  /** More server settings (`postgresql.conf` lines), over the test defaults. */
  settings?: Record<string, string | number>
}

export class PostgresNotFoundError extends Error {
  constructor(searched: string[]) {
    super(
      `No PostgreSQL server binaries (initdb, pg_ctl, postgres) were found (looked in ${searched.join(', ')}). ` +
        `On Debian or Ubuntu install them with: sudo apt-get install -y ${POSTGRES_DEBIAN_PACKAGE} ` +
        `(no service needs to run: the tests start clusters of their own). ` +
        `Elsewhere, set CAREKEY_POSTGRES_BINDIR to the folder that holds initdb.`,
    )
    this.name = 'PostgresNotFoundError'
  }
}

const SERVER_BINARIES = ['initdb', 'pg_ctl', 'postgres'] as const

function hasServerBinaries(dir: string): boolean {
  return SERVER_BINARIES.every((name) => {
    try {
      accessSync(join(dir, name), constants.X_OK)
      return true
    } catch {
      return false
    }
  })
}

/**
 * The folder with PostgreSQL's server binaries: `CAREKEY_POSTGRES_BINDIR` when set, else the
 * newest `/usr/lib/postgresql/<version>/bin` (Debian's layout), else `pg_config --bindir`,
 * else the folder of an `initdb` on PATH. Throws a {@link PostgresNotFoundError} that names the
 * Debian package when there is none.
 *
 * @example
 * findPostgresBinaries() // '/usr/lib/postgresql/15/bin'
 */
export function findPostgresBinaries(env: NodeJS.ProcessEnv = process.env): string {
  const searched: string[] = []
  const override = env.CAREKEY_POSTGRES_BINDIR
  if (override) {
    if (hasServerBinaries(override)) return override
    throw new PostgresNotFoundError([`CAREKEY_POSTGRES_BINDIR=${override}`])
  }

  const debianRoot = '/usr/lib/postgresql'
  searched.push(`${debianRoot}/<version>/bin`)
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot)
      .filter((name) => /^\d+(\.\d+)?$/.test(name))
      .sort((a, b) => Number(b) - Number(a))
    for (const version of versions) {
      const dir = join(debianRoot, version, 'bin')
      if (hasServerBinaries(dir)) return dir
    }
  }

  searched.push('pg_config --bindir')
  try {
    // Debian's libpq-dev ships pg_config without the server, so check what it names.
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    if (dir && hasServerBinaries(dir)) return dir
  } catch {
    // No pg_config: try PATH below.
  }

  searched.push('PATH')
  for (const entry of (env.PATH ?? '').split(delimiter)) {
    if (!entry) continue
    const initdb = join(entry, 'initdb')
    if (!existsSync(initdb)) continue
    // pg_ctl starts the postgres beside its real file, so follow links (/usr/local/bin/initdb → …).
    const dir = join(realpathSync(initdb), '..')
    if (hasServerBinaries(dir)) return dir
  }
  throw new PostgresNotFoundError(searched)
}

/** How to run the server binaries: as root, as the `postgres` user (initdb refuses root). */
type Runner = { command(binary: string, args: string[]): [string, string[]]; owner?: { uid: number; gid: number } }

async function runnerForThisUser(): Promise<Runner> {
  if (process.getuid?.() !== 0) return { command: (binary, args) => [binary, args] }
  let uid: number
  let gid: number
  try {
    uid = Number((await run('id', ['-u', 'postgres'])).trim())
    gid = Number((await run('id', ['-g', 'postgres'])).trim())
  } catch {
    throw new Error(
      `PostgreSQL refuses to run as root, and there is no "postgres" user to run it as. ` +
        `Install Debian's ${POSTGRES_DEBIAN_PACKAGE} package (it creates that user), or run the tests as another user.`,
    )
  }
  return { command: (binary, args) => ['runuser', ['-u', 'postgres', '--', binary, ...args]], owner: { uid, gid } }
}

function run(command: string, args: string[], cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr.trim() || error.message}`, { cause: error }))
      else resolve(stdout)
    })
  })
}

/**
 * Settings for a throwaway test cluster. fsync, full-page writes and synchronous commit are
 * off: a crash of the machine may lose or corrupt this data, which tests throw away anyway,
 * and commits no longer wait for the disk. Never use them for data that matters.
 */
const TEST_SETTINGS: Record<string, string | number> = {
  listen_addresses: '127.0.0.1',
  fsync: 'off',
  full_page_writes: 'off',
  synchronous_commit: 'off',
  shared_buffers: '32MB',
  max_connections: 100,
}

function settingLine(name: string, value: string | number): string {
  return `${name} = ${typeof value === 'number' ? value : `'${value.replaceAll("'", "''")}'`}\n`
}

/** Clusters this process started and has not stopped: stopped at exit if a test forgot to. */
const stopOnExit = new Map<string, () => void>()
process.once('exit', () => {
  for (const stop of stopOnExit.values()) stop()
})

/**
 * Starts a throwaway PostgreSQL cluster: initdb into a fresh temporary folder (superuser
 * `carekey`, trust authentication, UTF8), a free port on 127.0.0.1, its unix socket inside
 * that folder, then `pg_ctl start -w`. As root the binaries run as the `postgres` user on a
 * folder it owns. Nothing of the system's own PostgreSQL service is used. Call `stop()` at the
 * end: it stops the server and removes the folder.
 *
 * @example
 * const pg = await startPostgres()
 * const url = await pg.newDatabase() // postgres://carekey@127.0.0.1:54321/carekey_test_…
 * await pg.stopServer(); await pg.startServer() // the database went away, and came back
 * await pg.stop()
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresCluster> {
  const binDir = options.binDir ?? findPostgresBinaries()
  const runner = await runnerForThisUser()
  const bin = (name: (typeof SERVER_BINARIES)[number], args: string[], cwd: string) => {
    const [command, fullArgs] = runner.command(join(binDir, name), args)
    return run(command, fullArgs, cwd)
  }

  const dir = await mkdtemp(join(tmpdir(), 'carekey-pg-'))
  const dataDir = join(dir, 'data')
  const logFile = join(dir, 'server.log')
  const removeDir = () => rm(dir, { recursive: true, force: true })
  let running = false
  let port = 0

  const pgCtl = (args: string[]) => bin('pg_ctl', ['-D', dataDir, ...args], dir)
  const startServer = async () => {
    try {
      await pgCtl(['-l', logFile, '-w', '-t', '60', '-o', `-p ${port}`, 'start'])
    } catch (error) {
      const log = await readFile(logFile, 'utf8').catch(() => '')
      throw new Error(`PostgreSQL did not start on port ${port}: ${log.trim().split('\n').slice(-5).join('\n') || String(error)}`, { cause: error })
    }
    running = true
  }
  const stopServer = async () => {
    if (!running) return
    await pgCtl(['-m', 'fast', '-w', '-t', '60', 'stop'])
    running = false
  }

  try {
    if (runner.owner) await chown(dir, runner.owner.uid, runner.owner.gid)
    // --no-sync: initdb does not wait for the disk either (a throwaway cluster).
    await bin('initdb', ['-D', dataDir, '-A', 'trust', '-U', POSTGRES_SUPERUSER, '-E', 'UTF8', '--locale=C', '--no-sync'], dir)
    const settings = { ...TEST_SETTINGS, unix_socket_directories: dir, ...options.settings }
    await appendFile(join(dataDir, 'postgresql.conf'), `\n# CareKey test cluster\n${Object.entries(settings).map(([k, v]) => settingLine(k, v)).join('')}`)
    // A free port can be taken between the question and the bind: try a few.
    for (let attempt = 1; ; attempt++) {
      port = await freePort()
      try {
        await startServer()
        break
      } catch (error) {
        if (attempt >= 3) throw error
      }
    }
  } catch (error) {
    await removeDir()
    throw error
  }

  stopOnExit.set(dir, () => {
    try {
      const [command, args] = runner.command(join(binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', 'stop'])
      if (running) execFileSync(command, args, { cwd: dir, stdio: 'ignore' })
    } catch {
      // Already stopped: only the folder is left.
    }
    rmSync(dir, { recursive: true, force: true })
  })

  const url = `postgres://${POSTGRES_SUPERUSER}@127.0.0.1:${port}/postgres`
  let databases = 0
  return {
    url,
    port,
    dir,
    get running() {
      return running
    },
    newDatabase: () => createDatabase(url, `carekey_test_${++databases}_${randomBytes(4).toString('hex')}`),
    stopServer,
    startServer: async () => {
      if (!running) await startServer()
    },
    async stop() {
      stopOnExit.delete(dir)
      try {
        await stopServer()
      } catch {
        // A server that will not stop fast is stopped at once: the data is thrown away anyway.
        await pgCtl(['-m', 'immediate', '-w', 'stop']).catch(() => undefined)
      } finally {
        await removeDir()
      }
    },
  }
}

/**
 * Creates an empty database on the server at `url` (as that URL's user) and resolves the same
 * URL pointing at it. Names are lower-case letters, digits and underscores.
 *
 * @example
 * const url = await createDatabase(pg.url, 'share_host_a') // postgres://carekey@127.0.0.1:54321/share_host_a
 */
export async function createDatabase(url: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new Error(`A database name is 1 to 63 lower-case letters, digits or underscores, not starting with a digit: "${name}"`)
  }
  const client = new Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(`CREATE DATABASE "${name}"`)
  } finally {
    await client.end()
  }
  const databaseUrl = new URL(url)
  databaseUrl.pathname = `/${name}`
  return databaseUrl.toString()
}
