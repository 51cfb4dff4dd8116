import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, type Server } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { freePort, portInUse } from './lib/ports.ts'
import { toolViteCacheDir } from './lib/viteCache.ts'

const children: ChildProcess[] = []
const servers: Server[] = []

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGKILL')
  for (const server of servers.splice(0)) await new Promise((r) => server.close(r))
})

/** `npm run dev` on the given ports, with a Vite cache of its own: never the one of a developer's `npm run dev` in this checkout. */
function startDev(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/dev.ts'], {
    env: { ...process.env, CAREKEY_VITE_CACHE_DIR: toolViteCacheDir('dev-test'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  children.push(child)
  let output = ''
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const waitFor = async (text: string, timeoutMs = 45_000) => {
    const deadline = Date.now() + timeoutMs
    while (!output.includes(text)) {
      if (child.exitCode !== null) throw new Error(`npm run dev exited early:\n${output}`)
      if (Date.now() > deadline) throw new Error(`timed out waiting for "${text}":\n${output}`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  return { child, exited, waitFor, output: () => output }
}

describe('npm run dev', () => {
  it('brings up chain, share host and app, prints the URL, and stops everything on Ctrl-C', async () => {
    const [chain, host, app] = await Promise.all([freePort(), freePort(), freePort()])
    const dev = startDev({ CAREKEY_CHAIN_PORT: String(chain), CAREKEY_SHARE_HOST_PORT: String(host), CAREKEY_APP_PORT: String(app) })
    await dev.waitFor('Press Ctrl-C to stop everything.')
    expect(dev.output()).toContain(`http://localhost:${app}/`)

    const health = (await (await fetch(`http://127.0.0.1:${host}/health`)).json()) as { status: string; chainId: number }
    expect(health).toMatchObject({ status: 'ok', chainId: 31337 })
    const chainId = (await (
      await fetch(`http://127.0.0.1:${chain}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      })
    ).json()) as { result: string }
    expect(chainId.result).toBe('0x7a69')
    const page = await fetch(`http://localhost:${app}/`)
    expect(await page.text()).toContain('<div id="root">')
    // Its dependencies come from its own cache folder, so it leaves node_modules/.vite alone.
    const start = await (await fetch(`http://localhost:${app}/src/app/start.tsx`)).text()
    expect(start).toMatch(/from "\/\.carekey\/vite\/dev-test\/deps\/react\.js\?v=\w+"/)
    expect(start).not.toContain('node_modules/.vite')

    process.kill(dev.child.pid ?? 0, 'SIGINT')
    expect(await dev.exited).toBe(0)
    expect(await portInUse(chain)).toBe(false)
    expect(await portInUse(host)).toBe(false)
    expect(await portInUse(app)).toBe(false)
  })

  it('names the service whose port is taken, without a stack trace', async () => {
    const [chain, host, app] = await Promise.all([freePort(), freePort(), freePort()])
    const blocker = createServer()
    servers.push(blocker)
    await new Promise<void>((r) => blocker.listen(host, '127.0.0.1', r))
    const dev = startDev({ CAREKEY_CHAIN_PORT: String(chain), CAREKEY_SHARE_HOST_PORT: String(host), CAREKEY_APP_PORT: String(app) })
    expect(await dev.exited).toBe(1)
    expect(dev.output()).toContain(`Port ${host} for the share host is already in use`)
    expect(dev.output()).toContain('CAREKEY_SHARE_HOST_PORT')
    expect(dev.output()).not.toMatch(/\n\s+at /)
    expect(await portInUse(chain)).toBe(false)
  })
})
