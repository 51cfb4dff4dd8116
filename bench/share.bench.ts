import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createWalletClient, http, keccak256, stringToHex, toHex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { consentRegistryAbi } from '../contracts/generated/ConsentRegistry.ts'
import { freePort } from '../scripts/lib/ports.ts'
import { startProcess } from '../scripts/lib/processes.ts'
import { createShare } from '../src/shareHost/client.ts'
import { encryptShareFile, manifestUrlFor, newNonce, newShareId, newShareKey } from '../src/domain/shl/index.ts'
import type { BenchSuite } from './lib/context.ts'

const CONCURRENCY = 32
const WARMUP_REQUESTS = 300
const DURATION_MS = 5_000

/**
 * share.host_manifest_rps: manifest requests per second that the share host answers on
 * loopback, each one checking the grant on chain (read once per block, the block number
 * asked for each batch of concurrent requests) and appending to the access log. The host runs
 * as its own process (as `npm run server`, rate limit off); the load comes from this process
 * over keep-alive connections, CONCURRENCY requests in flight at all times, for DURATION_MS.
 */
export const shareSuite: BenchSuite = {
  name: 'share',
  async run(ctx) {
    const backend = await ctx.backend()
    const { chainId, consentRegistry: registry } = backend.deployment
    const dataDir = await mkdtemp(join(tmpdir(), 'carekey-bench-share-host-'))
    const port = await freePort()
    const hostUrl = `http://localhost:${port}`
    const host = startProcess('share host', join(process.cwd(), 'node_modules', '.bin', 'tsx'), ['server/main.ts'], {
      env: {
        ...process.env,
        ...backend.env,
        CAREKEY_SHARE_HOST_URL: hostUrl,
        CAREKEY_SHARE_HOST_PORT: String(port),
        CAREKEY_SHARE_HOST_DATA_DIR: dataDir,
        CAREKEY_SHARE_HOST_RATE_LIMIT: '0',
      },
      stdio: 'ignore',
    })
    try {
      await waitForHealth(hostUrl)

      // A patient grants on chain, then shares a bundle behind that grant.
      const account = mnemonicToAccount('test test test test test test test test test test test junk', { addressIndex: 1 })
      const wallet = createWalletClient({ account, chain: { ...foundry, id: chainId }, transport: http(backend.chain.rpcUrl) })
      const now = (await backend.chain.client.getBlock()).timestamp
      const terms = {
        patient: account.address,
        grantee: keccak256(toHex('whoever holds this QR')),
        scopeHash: keccak256(toHex('all records')),
        purpose: stringToHex('TREAT', { size: 32 }),
        validFrom: now - 60n,
        validUntil: now + 86_400n,
        dataHash: keccak256(toHex('bench')),
        salt: newNonce(),
      }
      const commitment = await backend.chain.client.readContract({ address: registry, abi: consentRegistryAbi, functionName: 'commitmentOf', args: [terms] })
      const hash = await wallet.writeContract({ address: registry, abi: consentRegistryAbi, functionName: 'grant', args: [commitment, terms.validUntil] })
      await backend.chain.client.waitForTransactionReceipt({ hash, pollingInterval: 50 })
      const id = newShareId()
      const bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'AllergyIntolerance', code: { text: 'Penicillin' } } }] }
      await createShare(
        { hostUrl, chainId, registry },
        { address: account.address, signTypedData: account.signTypedData },
        { id, patient: account.address, commitment, files: [{ contentType: 'application/fhir+json', jwe: await encryptShareFile(JSON.stringify(bundle), newShareKey()) }] },
      )

      const url = manifestUrlFor(hostUrl, id)
      const request = async () => {
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"recipient":"Bench"}' })
        await response.arrayBuffer()
        if (response.status !== 200) throw new Error(`manifest answered ${response.status}`)
      }
      for (let i = 0; i < WARMUP_REQUESTS; i += CONCURRENCY) await Promise.all(Array.from({ length: CONCURRENCY }, request))

      let done = 0
      const start = performance.now()
      const deadline = start + DURATION_MS
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (performance.now() < deadline) {
            await request()
            done++
          }
        }),
      )
      const seconds = (performance.now() - start) / 1000
      return [{ name: 'share.host_manifest_rps', value: done / seconds, unit: 'req/s' }]
    } finally {
      await host.stop()
      await rm(dataDir, { recursive: true, force: true })
    }
  },
}

export async function waitForHealth(url: string): Promise<void> {
  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      if ((await fetch(`${url}/health`)).ok) return
    } catch {
      if (Date.now() > deadline) throw new Error('the share host did not start within 30 s')
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
