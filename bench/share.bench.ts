import { startPostgres } from '../scripts/lib/postgres.ts'
import { join } from 'node:path'
import { createWalletClient, http, keccak256, stringToHex, toHex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { consentRegistryAbi } from '../contracts/generated/ConsentRegistry.ts'
import { freePort } from '../scripts/lib/ports.ts'
import { startProcess } from '../scripts/lib/processes.ts'
import { chainEnv, startShareHostProcess, waitForHealth, type ProcessExit } from '../scripts/lib/shareHostProcess.ts'
import { createShare } from '../src/shareHost/client.ts'
import { encryptShareFile, manifestUrlFor, newNonce, newShareId, newShareKey } from '../src/domain/shl/index.ts'
import type { BenchContext, BenchRow, BenchSuite } from './lib/context.ts'
import { LOAD_CONNECTIONS, measureLoad, type LoadRequest } from './lib/load.ts'

/** What a viewer sends for a manifest; the bare route gets the same. */
const MANIFEST_REQUEST: Omit<LoadRequest, 'url'> = {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: '{"recipient":"Bench"}',
}

/**
 * The share host under load, as `npm run server` runs it (its own process, rate limit off),
 * with LOAD_CONNECTIONS (50) concurrent clients from this process (autocannon):
 * - share.bare_hono_rps / _p99_ms: the ceiling, a bare Hono route on @hono/node-server that
 *   reads the same small JSON body and answers a small JSON, also in a process of its own;
 * - share.host_manifest_rps / _p99_ms: manifest requests for one share, each checking the grant
 *   on chain (read once per block, the block number reused for a second) and appending to
 *   the access log, on the host's embedded default store (PGlite in the host's process);
 * - share.host_manifest_pg_rps / _p99_ms: the same on a PostgreSQL cluster of its own.
 * A store of another kind gets its own rows through {@link benchManifest} with its settings.
 */
export const shareSuite: BenchSuite = {
  name: 'share',
  async run(ctx) {
    const rows: BenchRow[] = []
    if (ctx.wants(...loadRowNames('share.bare_hono'))) rows.push(...(await benchBareHono('share.bare_hono')))
    if (ctx.wants(...loadRowNames('share.host_manifest'))) rows.push(...(await benchManifest(ctx, 'share.host_manifest', {})))
    if (ctx.wants(...loadRowNames('share.host_manifest_pg'))) {
      const cluster = await startPostgres()
      try {
        rows.push(...(await benchManifest(ctx, 'share.host_manifest_pg', { CAREKEY_SHARE_HOST_DATABASE_URL: await cluster.newDatabase() })))
      } finally {
        await cluster.stop()
      }
    }
    return rows
  },
}

/** The rows a load measurement named `label` gives. */
function loadRowNames(label: string): [rps: string, p99: string] {
  return [`${label}_rps`, `${label}_p99_ms`]
}

function loadRows(label: string, result: { requestsPerSecond: number; p99Ms: number }): BenchRow[] {
  const [rps, p99] = loadRowNames(label)
  return [
    { name: rps, value: result.requestsPerSecond, unit: `req/s at ${LOAD_CONNECTIONS} clients` },
    { name: p99, value: result.p99Ms, unit: `ms p99 at ${LOAD_CONNECTIONS} clients` },
  ]
}

/** `<label>_rps` and `<label>_p99_ms` of a bare Hono route (bench/lib/bareHonoServer.ts). */
async function benchBareHono(label: string): Promise<BenchRow[]> {
  const port = await freePort()
  const server = startProcess('bare Hono', process.execPath, ['--import', 'tsx', join('bench', 'lib', 'bareHonoServer.ts')], {
    env: { ...process.env, PORT: String(port) },
    stdio: 'ignore',
  })
  const exited = new Promise<ProcessExit>((resolve) => server.child.once('exit', (code, signal) => resolve({ code, signal })))
  try {
    const url = `http://127.0.0.1:${port}`
    await waitForHealth(`${url}/health`, { exited })
    return loadRows(label, await measureLoad({ url: `${url}/shl/${newShareId()}`, ...MANIFEST_REQUEST }))
  } finally {
    await server.stop()
  }
}

/**
 * `<label>_rps` and `<label>_p99_ms` of manifest requests on a share host started with
 * `hostEnv` over the bench chain: `{}` for the embedded default store,
 * `{ CAREKEY_SHARE_HOST_DATABASE_URL: url }` for PostgreSQL (a database of `startPostgres()`).
 * A patient grants on chain, shares a small bundle behind that grant, then the load starts.
 */
export async function benchManifest(ctx: BenchContext, label: string, hostEnv: Record<string, string>): Promise<BenchRow[]> {
  const backend = await ctx.backend()
  const { chainId, consentRegistry: registry } = backend.deployment
  // The chain check cached per block: the block number is reused for a second (a block's time on most L2s).
  const host = await startShareHostProcess({
    env: { ...chainEnv(backend.chain.rpcUrl, backend.deployment), CAREKEY_SHARE_HOST_BLOCK_TTL_MS: '1000', ...hostEnv },
  })
  try {
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
      { hostUrl: host.url, chainId, registry },
      { address: account.address, signTypedData: account.signTypedData },
      { id, patient: account.address, commitment, files: [{ contentType: 'application/fhir+json', jwe: await encryptShareFile(JSON.stringify(bundle), newShareKey()) }] },
    )
    return loadRows(label, await measureLoad({ url: manifestUrlFor(host.url, id), ...MANIFEST_REQUEST }))
  } finally {
    await host.stop()
  }
}
