/**
 * Several share hosts on one PostgreSQL database, as a clinic network runs them behind one
 * address: real host processes, a real throwaway cluster, a real chain. Every count stays exact
 * across hosts, and a database that goes away costs a 503, never half-written data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keccak256, stringToHex, toHex, type Account, type Chain, type Hex, type Transport, type WalletClient } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import pg from 'pg'
import { consentRegistryAbi } from '../../contracts/generated/ConsentRegistry.ts'
import { startLocalChainForTests } from '../../scripts/lib/chainFixture.ts'
import { startPostgres, type PostgresCluster } from '../../scripts/lib/postgres.ts'
import { chainEnv, startShareHostProcess, type ShareHostProcess } from '../../scripts/lib/shareHostProcess.ts'
import { backupListSchema } from '../../src/domain/backup/hostBackup.ts'
import { newNonce, type ShareGrantTerms } from '../../src/domain/shl/index.ts'
import { createShare, readShareAccessLog, type FetchLike, type ShareHostTarget } from '../../src/shareHost/client.ts'
import { describeMigrations } from './storage/sql/migrationsContract.ts'
import { MIGRATIONS } from './storage/sql/migrations.ts'
import { pgDatabase } from './storage/sql/pgDatabase.ts'
import { describeShareStore } from './storage/sql/shareStoreContract.ts'
import { sendBackupRequest } from './testing/backupHost.ts'
import { makeShare, postManifest, sampleBundle, signerOf, testAccount } from './testing/shareFixtures.ts'

const local = startLocalChainForTests()
const patient = testAccount(1)
/** The address clinics use; a proxy in front sends each request to one of the hosts. */
const PUBLIC_URL = 'http://clinic.test'

let cluster: PostgresCluster
const hosts: ShareHostProcess[] = []
beforeAll(async () => {
  cluster = await startPostgres()
})
afterAll(async () => {
  for (const host of hosts) await host.stop().catch(() => undefined)
  await cluster?.stop()
})

describeShareStore('PostgreSQL', async () => pgDatabase({ url: await cluster.newDatabase() }))
describeMigrations('PostgreSQL', async () => pgDatabase({ url: await cluster.newDatabase() }))

async function startHosts(count: number, databaseUrl: string, env: Record<string, string> = {}): Promise<ShareHostProcess[]> {
  const started = await Promise.all(
    Array.from({ length: count }, () =>
      startShareHostProcess({
        env: { ...chainEnv(local.chain.rpcUrl, local.deployment), CAREKEY_SHARE_HOST_DATABASE_URL: databaseUrl, ...env },
        publicUrl: PUBLIC_URL,
      }),
    ),
  )
  hosts.push(...started)
  return started
}

/** The proxy: requests for the public URL go to the hosts in turn. */
function roundRobin(targets: readonly ShareHostProcess[]): FetchLike {
  let next = 0
  return (input, init) => {
    const host = targets[next++ % targets.length]
    if (!host) throw new Error('no host')
    return fetch(String(input).replace(PUBLIC_URL, `http://127.0.0.1:${host.port}`), init)
  }
}

type Wallet = WalletClient<Transport, Chain, Account>

/** A grant on chain from the patient's wallet, as the share host will check it. */
async function grant(): Promise<Hex> {
  const now = await local.now()
  const terms: ShareGrantTerms = {
    patient: patient.address,
    grantee: keccak256(toHex('whoever holds this QR')),
    scopeHash: keccak256(toHex('allergies')),
    purpose: stringToHex('TREAT', { size: 32 }),
    validFrom: now - 60n,
    validUntil: now + 3600n,
    dataHash: keccak256(toHex(JSON.stringify(sampleBundle()))),
    salt: newNonce(),
  }
  const registry = local.deployment.consentRegistry
  const commitment = await local.publicClient.readContract({ address: registry, abi: consentRegistryAbi, functionName: 'commitmentOf', args: [terms] })
  const hash = await (local.wallets[1] as Wallet).writeContract({ address: registry, abi: consentRegistryAbi, functionName: 'grant', args: [commitment, terms.validUntil] })
  await local.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 })
  return commitment
}

const targetFor = (fetchImpl: FetchLike): ShareHostTarget => ({
  hostUrl: PUBLIC_URL,
  chainId: local.deployment.chainId,
  registry: local.deployment.consentRegistry,
  fetch: fetchImpl,
})

async function rows(url: string, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(sql, params)).rows as Record<string, unknown>[]
  } finally {
    await client.end()
  }
}

describe('several share hosts on one PostgreSQL database', () => {
  it('keeps the passcode count exact across hosts: of 30 parallel wrong passcodes over two hosts exactly 10 get 401, the rest 404, and so does the right one afterwards', async () => {
    const db = await cluster.newDatabase()
    const pair = await startHosts(2, db)
    const viaProxy = roundRobin(pair)
    const share = await makeShare(targetFor(viaProxy), signerOf(patient), { commitment: await grant(), passcode: 'right-2468' })

    const statuses = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => (await postManifest(viaProxy, share.manifestUrl, { recipient: `guess ${i}`, passcode: `wrong-${i}` })).status),
    )
    expect(statuses.filter((s) => s === 401)).toHaveLength(10)
    expect(statuses.filter((s) => s === 404)).toHaveLength(20)
    for (let i = 0; i < 2; i++) expect((await postManifest(viaProxy, share.manifestUrl, { recipient: 'Dr. Late', passcode: 'right-2468' })).status).toBe(404)

    const log = await readShareAccessLog(targetFor(viaProxy), signerOf(patient), share.id)
    expect(log.share).toMatchObject({ status: 'locked', passcode: { remainingAttempts: 0 } })
    expect(log.entries.reduce((sum, e) => sum + (e.outcome === 'wrong-passcode' ? (e.count ?? 1) : 0), 0)).toBe(10)
  })

  it('serves through one host what another stored: manifests, file locations signed by another host, and one log', async () => {
    const db = await cluster.newDatabase()
    const [a, b] = await startHosts(2, db)
    if (!a || !b) throw new Error('two hosts')
    const share = await makeShare(targetFor(roundRobin([a])), signerOf(patient), { commitment: await grant() })
    const viaB = roundRobin([b])
    const manifest = (await (await postManifest(viaB, share.manifestUrl, { recipient: 'Dr. B', embeddedLengthMax: 0 })).json()) as { files: { location: string }[] }
    const location = manifest.files[0]?.location ?? ''
    const fromA = await roundRobin([a])(location)
    expect([fromA.status, await fromA.text()]).toEqual([200, share.jwe])
    await postManifest(roundRobin([a]), share.manifestUrl, { recipient: 'Dr. A' })
    const log = await readShareAccessLog(targetFor(viaB), signerOf(patient), share.id)
    expect(log.entries.map((e) => e.recipient)).toEqual(['Dr. B', 'Dr. A'])
  })

  it('stores exactly one of eight backup uploads sent at once over two hosts with the same previous version; the others get 409', async () => {
    const db = await cluster.newDatabase()
    const pair = await startHosts(2, db)
    const wallet = privateKeyToAccount(generatePrivateKey())
    const via = (host: ShareHostProcess) => ({ hostUrl: PUBLIC_URL, clock: Date.now, fetch: roundRobin([host]) })
    const statuses = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const body = crypto.getRandomValues(new Uint8Array(64 * 1024))
        return (await sendBackupRequest(via(pair[i % 2]!), wallet, { action: 'put-backup', body })).status
      }),
    )
    expect(statuses.filter((s) => s === 201)).toHaveLength(1)
    expect(statuses.filter((s) => s === 409)).toHaveLength(7)
    const listed = backupListSchema.parse(await (await sendBackupRequest(via(pair[1]!), wallet, { action: 'list-backups' })).json())
    expect(listed.versions.map((v) => [v.version, v.size])).toEqual([[1, 64 * 1024]])
    expect(await rows(db, 'SELECT count(*)::int AS n FROM backup_versions')).toEqual([{ n: 1 }])
  })

  it('migrates a fresh database once when two hosts start on it together', async () => {
    const db = await cluster.newDatabase()
    await startHosts(2, db)
    expect(await rows(db, 'SELECT version FROM schema_migrations ORDER BY version')).toEqual(MIGRATIONS.map((m) => ({ version: m.version })))
  })

  it('answers 503 while the database is down, mid-run or at start, writes nothing, and serves again once it is back', async () => {
    const db = await cluster.newDatabase()
    const [host] = await startHosts(1, db)
    if (!host) throw new Error('one host')
    const via = roundRobin([host])
    const share = await makeShare(targetFor(via), signerOf(patient), { commitment: await grant() })

    await cluster.stopServer()
    try {
      const down = await postManifest(via, share.manifestUrl, { recipient: 'Dr. Down' })
      expect(down.status).toBe(503)
      expect(down.headers.get('retry-after')).toBe('5')
      expect(await down.json()).toMatchObject({ error: 'storage_unavailable' })
      // A host started while the database is down starts anyway, and says why it cannot serve.
      const [late] = await startHosts(1, db)
      if (!late) throw new Error('one host')
      expect((await postManifest(roundRobin([late]), share.manifestUrl, { recipient: 'Dr. Down' })).status).toBe(503)
      expect(late.output()).toMatch(/the database \(CAREKEY_SHARE_HOST_DATABASE_URL\) does not answer yet/)
      expect(late.output()).not.toContain(db)
    } finally {
      await cluster.startServer()
    }
    for (const h of hosts.slice(-2)) expect((await postManifest(roundRobin([h]), share.manifestUrl, { recipient: 'Dr. Back' })).status).toBe(200)
    const log = await readShareAccessLog(targetFor(via), signerOf(patient), share.id)
    expect(log.entries.map((e) => e.recipient)).toEqual(['Dr. Back', 'Dr. Back'])
  })

  it('leaves no row behind when a host is killed in the middle of an upload', async () => {
    const db = await cluster.newDatabase()
    const [doomed, survivor] = await startHosts(2, db)
    if (!doomed || !survivor) throw new Error('two hosts')
    const commitment = await grant()
    // An upload whose body arrives slowly: the host is killed while it is still coming in.
    let sentHalf!: () => void
    const halfway = new Promise<void>((resolve) => (sentHalf = resolve))
    let finish!: () => void
    const never = new Promise<void>((resolve) => (finish = resolve))
    const slowFetch: FetchLike = async (input, init) => {
      const body = typeof init?.body === 'string' ? init.body : ''
      const stream = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(new TextEncoder().encode(body.slice(0, body.length / 2)))
          sentHalf()
          await never
          controller.close()
        },
      })
      return fetch(String(input).replace(PUBLIC_URL, `http://127.0.0.1:${doomed.port}`), { ...init, body: stream, duplex: 'half' } as RequestInit)
    }
    const upload = createShare(targetFor(slowFetch), signerOf(patient), {
      id: 'K'.repeat(43),
      patient: patient.address,
      commitment,
      files: [{ contentType: 'application/fhir+json', jwe: (await makeShare(targetFor(roundRobin([survivor])), signerOf(patient), { commitment })).jwe }],
    })
    const outcome = upload.then(
      () => 'stored',
      (error: unknown) => error,
    )
    await halfway
    await doomed.kill()
    finish()
    expect(await outcome).toBeInstanceOf(Error)
    expect(await rows(db, 'SELECT count(*)::int AS n FROM shares WHERE id = $1', ['K'.repeat(43)])).toEqual([{ n: 0 }])
    expect(await rows(db, 'SELECT count(*)::int AS n FROM share_files WHERE share_id NOT IN (SELECT id FROM shares)')).toEqual([{ n: 0 }])
    // The other host goes on.
    expect((await fetch(`http://127.0.0.1:${survivor.port}/health`)).status).toBe(200)
  })
})
