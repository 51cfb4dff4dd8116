import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Deployment } from './deploy.ts'
import { freePort } from './ports.ts'
import { startProcess } from './processes.ts'

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** How a process ended: its exit code, or the signal that ended it. */
export type ProcessExit = { code: number | null; signal: NodeJS.Signals | null }

/** A share host running as an OS process of its own (`server/main.ts`, as `npm run server`). */
export type ShareHostProcess = {
  /** Its public base URL (`CAREKEY_SHARE_HOST_URL`): `http://localhost:<port>` unless given. */
  readonly url: string
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number
  /** Its data folder (CAREKEY_SHARE_HOST_DATA_DIR): a fresh temporary one, removed at stop, unless the env gave one. */
  readonly dataDir: string
  /** The process id of the host itself (Node running server/main.ts, no wrapper in between). */
  readonly pid: number
  /** Resolves when the process has exited, with its exit code or the signal that ended it. */
  readonly exited: Promise<ProcessExit>
  /** What the host printed so far (stdout and stderr, the last 64 KiB). */
  output(): string
  /** Asks the host to shut down (SIGTERM, as Ctrl-C would), SIGKILL after 3 s; then removes its data folder. */
  stop(): Promise<void>
  /** Ends the host at once with SIGKILL, as a crash would: nothing of its shutdown runs. */
  kill(): Promise<void>
}

export type ShareHostProcessOptions = {
  /**
   * The host's configuration (CAREKEY_* variables, see README "Share host"): at least the chain
   * (see {@link chainEnv}); `CAREKEY_SHARE_HOST_DATABASE_URL` chooses the PostgreSQL store.
   * CAREKEY_* variables of this process's own environment are not passed on.
   */
  env: Record<string, string>
  /** A fixed port; a free one when absent. */
  port?: number
  /** The public URL (two hosts behind one proxy share one); `http://localhost:<port>` when absent. */
  publicUrl?: string
  /** How long to wait for /health to answer. */
  startTimeoutMs?: number
}

/** The chain variables a share host needs to check grants against these contracts. */
export function chainEnv(rpcUrl: string, deployment: Deployment): Record<string, string> {
  return {
    CAREKEY_CHAIN_ID: String(deployment.chainId),
    CAREKEY_RPC_URL: rpcUrl,
    CAREKEY_CONSENT_REGISTRY: deployment.consentRegistry,
    CAREKEY_CONSENT_REGISTRY_BLOCK: String(deployment.deployBlock),
  }
}

const OUTPUT_LIMIT = 64 * 1024

/**
 * Starts the share host as a separate OS process (`node --import tsx server/main.ts`, so the pid
 * is the host's own) with the given configuration and a fresh data folder of its own (unless
 * the env names one), and resolves once `/health` answers 200. Several can run side by side,
 * for example two hosts on one PostgreSQL database.
 *
 * @example
 * const chain = await startAnvil()
 * const deployment = await deployContracts(chain.client, chain.rpcUrl, ANVIL_DEPLOYER_KEY)
 * const host = await startShareHostProcess({ env: { ...chainEnv(chain.rpcUrl, deployment), CAREKEY_SHARE_HOST_DATABASE_URL: url } })
 * await fetch(`${host.url}/health`)
 * await host.kill() // a crash mid-request
 */
export async function startShareHostProcess(options: ShareHostProcessOptions): Promise<ShareHostProcess> {
  const port = options.port ?? (await freePort())
  const url = options.publicUrl ?? `http://localhost:${port}`
  const givenDataDir = options.env.CAREKEY_SHARE_HOST_DATA_DIR
  const dataDir = givenDataDir ?? (await mkdtemp(join(tmpdir(), 'carekey-share-host-')))
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CAREKEY_')))
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    CAREKEY_SHARE_HOST_RATE_LIMIT: '0',
    ...options.env,
    CAREKEY_SHARE_HOST_DATA_DIR: dataDir,
    CAREKEY_SHARE_HOST_PORT: String(port),
    CAREKEY_SHARE_HOST_URL: url,
  }

  const proc = startProcess('share host', process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT)
  }
  proc.child.stdout?.on('data', keep)
  proc.child.stderr?.on('data', keep)
  const exited = new Promise<ProcessExit>((resolve) => {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) resolve({ code: proc.child.exitCode, signal: proc.child.signalCode })
    else proc.child.once('exit', (code, signal) => resolve({ code, signal }))
  })
  const removeDataDir = async () => {
    if (!givenDataDir) await rm(dataDir, { recursive: true, force: true })
  }
  const stop = async () => {
    await proc.stop()
    await removeDataDir()
  }

  const pid = proc.child.pid
  try {
    if (pid === undefined) throw new Error('the share host process could not be spawned')
    await waitForHealth(`http://127.0.0.1:${port}/health`, { exited, timeoutMs: options.startTimeoutMs })
  } catch (error) {
    await stop()
    const printed = output.trim()
    throw new Error(`The share host did not start: ${(error as Error).message}${printed ? `\n--- its output ---\n${printed}` : ''}`, { cause: error })
  }

  return {
    url,
    port,
    dataDir,
    pid,
    exited,
    output: () => output,
    stop,
    async kill() {
      try {
        process.kill(-pid, 'SIGKILL')
      } catch {
        // Already gone.
      }
      await exited
      await stop()
    },
  }
}

/**
 * Resolves once `url` answers 200; fails early when `exited` resolves first (the process it
 * waits for has died) and after `timeoutMs`.
 *
 * @example
 * await waitForHealth(`http://127.0.0.1:${port}/health`, { exited })
 */
export async function waitForHealth(url: string, options: { exited?: Promise<ProcessExit>; timeoutMs?: number } = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000
  let exit: ProcessExit | undefined
  void options.exited?.then((e) => (exit = e))
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (exit) throw new Error(`it exited (${exit.signal ?? `code ${exit.code}`}) before ${url} answered`)
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) })
      await response.arrayBuffer()
      if (response.ok) return
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
