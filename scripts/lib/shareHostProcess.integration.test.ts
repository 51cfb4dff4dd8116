import { existsSync } from 'node:fs'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ANVIL_DEPLOYER_KEY, startAnvil, type LocalChain } from './anvil.ts'
import { deployContracts, type Deployment } from './deploy.ts'
import { chainEnv, startShareHostProcess, type ShareHostProcess } from './shareHostProcess.ts'

let chain: LocalChain
let deployment: Deployment
const hosts: ShareHostProcess[] = []

beforeAll(async () => {
  chain = await startAnvil()
  deployment = await deployContracts(chain.client, chain.rpcUrl, ANVIL_DEPLOYER_KEY)
})

afterAll(async () => {
  for (const host of hosts) await host.stop()
  await chain?.stop()
})

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

it('runs two share hosts as processes of their own: one killed as in a crash, the other stopped gracefully', async () => {
  const env = chainEnv(chain.rpcUrl, deployment)
  const [a, b] = await Promise.all([startShareHostProcess({ env }), startShareHostProcess({ env })])
  if (!a || !b) throw new Error('two hosts were asked for')
  hosts.push(a, b)
  expect(a.pid).not.toBe(b.pid)
  expect(a.pid).not.toBe(process.pid)
  expect(a.url).toBe(`http://localhost:${a.port}`)

  for (const host of [a, b]) {
    const health = await fetch(`${host.url}/health`)
    expect(health.status).toBe(200)
    // The configuration reached the process: it checks grants on this chain's registry.
    expect(await health.json()).toEqual({ status: 'ok', chainId: deployment.chainId, consentRegistry: deployment.consentRegistry })
  }

  await a.kill()
  expect(await a.exited).toEqual({ code: null, signal: 'SIGKILL' })
  expect(isAlive(a.pid)).toBe(false)
  await expect(fetch(`${a.url}/health`)).rejects.toThrow()
  expect((await fetch(`${b.url}/health`)).status).toBe(200)

  await b.stop()
  // SIGTERM: the host closes its server and exits on its own.
  expect(await b.exited).toEqual({ code: 0, signal: null })
  expect(isAlive(b.pid)).toBe(false)
})

it('says why a host did not start, with what it printed', async () => {
  const attempt = startShareHostProcess({ env: { ...chainEnv(chain.rpcUrl, deployment), CAREKEY_SHARE_HOST_PASSCODE_ATTEMPTS: 'many' } })
  await expect(attempt).rejects.toThrow(/exited \(code 1\)[\s\S]*CAREKEY_SHARE_HOST_PASSCODE_ATTEMPTS/)
})

it('gives each host a data folder of its own and removes it at stop', async () => {
  const host = await startShareHostProcess({ env: chainEnv(chain.rpcUrl, deployment) })
  hosts.push(host)
  expect(host.dataDir).toMatch(/carekey-share-host-/)
  expect(existsSync(host.dataDir)).toBe(true)
  await host.stop()
  expect(existsSync(host.dataDir)).toBe(false)
})
