import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { toHex, type Hex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { consentRegistryAbi } from '../contracts/generated/ConsentRegistry.ts'
import { ANVIL_DEPLOYER_KEY, ANVIL_SPONSOR_KEY, startAnvil } from '../scripts/lib/anvil.ts'
import { deployContracts } from '../scripts/lib/deploy.ts'
import { freePort } from '../scripts/lib/ports.ts'
import { readShareHostConfig } from '../server/src/config.ts'
import { startShareHost } from '../server/src/serve.ts'
import { grantTypedData } from '../src/domain/consent/grantSignature.ts'
import { relayGrant, relayGrantRequest } from '../src/shareHost/relay.ts'
import type { BenchSuite } from './lib/context.ts'

const GRANTS = 50

/**
 * relay.grants_per_s: 50 grants, each signed by its own fresh per-grant key, sent at once over
 * HTTP to a share host's sponsor relay on a fresh local anvil (one block per transaction);
 * from the first request to the last reply, every grant confirmed and checked on chain.
 */
export const relaySuite: BenchSuite = {
  name: 'relay',
  async run() {
    const chain = await startAnvil()
    const dataDir = await mkdtemp(join(tmpdir(), 'carekey-relay-bench-'))
    try {
      const deployment = await deployContracts(chain.client, chain.rpcUrl, ANVIL_DEPLOYER_KEY)
      const port = await freePort()
      const host = await startShareHost(
        readShareHostConfig({
          CAREKEY_CHAIN_ID: String(deployment.chainId),
          CAREKEY_RPC_URL: chain.rpcUrl,
          CAREKEY_CONSENT_REGISTRY: deployment.consentRegistry,
          CAREKEY_SHARE_HOST_PORT: String(port),
          CAREKEY_SHARE_HOST_DATA_DIR: dataDir,
          CAREKEY_SPONSOR_PRIVATE_KEY: ANVIL_SPONSOR_KEY,
          CAREKEY_RELAY_RATE_LIMIT: '0',
          CAREKEY_RELAY_POLL_MS: '50',
        }),
      )
      try {
        const location = { chainId: deployment.chainId, registry: deployment.consentRegistry }
        const now = (await chain.client.getBlock()).timestamp
        const requests = await Promise.all(
          Array.from({ length: GRANTS }, async (_, i) => {
            const key = privateKeyToAccount(generatePrivateKey())
            const commitment: Hex = toHex(crypto.getRandomValues(new Uint8Array(32)))
            const message = { commitment, validUntil: now + 86_400n + BigInt(i), deadline: now + 900n + BigInt(i) }
            return relayGrantRequest(location, key.address, message, await key.signTypedData(grantTypedData(location, message)))
          }),
        )
        const start = performance.now()
        const replies = await Promise.all(requests.map((request) => relayGrant({ shareHostUrl: host.url }, request)))
        const seconds = (performance.now() - start) / 1000

        for (const [i, request] of requests.entries()) {
          const [status] = await chain.client.readContract({
            address: deployment.consentRegistry,
            abi: consentRegistryAbi,
            functionName: 'statusOfCommitment',
            args: [request.patient, request.commitment],
          })
          if (status !== 1 || replies[i]?.patient !== request.patient) throw new Error(`grant ${i} is not active on chain`)
        }
        if (new Set(replies.map((r) => r.transactionHash)).size !== GRANTS) throw new Error('two grants share a transaction')
        return [{ name: 'relay.grants_per_s', value: GRANTS / seconds, unit: 'grants/s' }]
      } finally {
        await host.close()
      }
    } finally {
      await chain.stop()
      await rm(dataDir, { recursive: true, force: true })
    }
  },
}
