/**
 * The share host against a real anvil chain with the real ConsentRegistry, over real HTTP:
 * grants made and revoked with wallet transactions, the host reading them on chain.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SHLViewer } from 'kill-the-clipboard'
import { keccak256, stringToHex, toHex, type Account, type Chain, type Hex, type Transport, type WalletClient } from 'viem'
import { consentRegistryAbi } from '../../contracts/generated/ConsentRegistry.ts'
import { startLocalChainForTests } from '../../scripts/lib/chainFixture.ts'
import { freePort } from '../../scripts/lib/ports.ts'
import { startProcess, type ManagedProcess } from '../../scripts/lib/processes.ts'
import {
  deactivateShare,
  fetchShareGrant,
  listShareFiles,
  openShareLink,
  readShareAccessLog,
  ShareHostTimeoutError,
  ShareNotAvailableError,
  type FetchLike,
  type ShareHostTarget,
} from '../../src/shareHost/client.ts'
import { grantCommitment } from '../../src/domain/consent/index.ts'
import {
  decodeShlink,
  newNonce,
  ShareFileTooLargeError,
  shlinkViewerUrl,
  type ShareGrantTerms,
  type ShlManifest,
} from '../../src/domain/shl/index.ts'
import { readShareHostConfig } from './config.ts'
import { startShareHost, type RunningShareHost } from './serve.ts'
import { makeShare, postManifest, sampleBundle, signerOf, testAccount, type MadeShare } from './testing/shareFixtures.ts'

const local = startLocalChainForTests()
const patient = testAccount(1)
const stranger = testAccount(2)
const clinician = testAccount(3)

let host: RunningShareHost
let target: ShareHostTarget
let dataDir: string
/** The host's clock runs `offsetMs` ahead of real time; tests move it forward. */
let offsetMs = 0

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'carekey-share-host-it-'))
  const port = await freePort()
  const config = readShareHostConfig({
    CAREKEY_CHAIN_ID: String(local.deployment.chainId),
    CAREKEY_RPC_URL: local.chain.rpcUrl,
    CAREKEY_CONSENT_REGISTRY: local.deployment.consentRegistry,
    CAREKEY_SHARE_HOST_URL: `http://localhost:${port}`,
    CAREKEY_SHARE_HOST_PORT: String(port),
    CAREKEY_SHARE_HOST_DATA_DIR: dataDir,
    CAREKEY_SHARE_HOST_RATE_LIMIT: '0',
  })
  const clock = () => Date.now() + offsetMs
  host = await startShareHost(config, { clock })
  // The patient's device signs with the host's time, as a phone with a correct clock would.
  target = { hostUrl: host.url, chainId: local.deployment.chainId, registry: local.deployment.consentRegistry, clock }
})

afterAll(async () => {
  await host?.close()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

type Wallet = WalletClient<Transport, Chain, Account>

/** Records a grant on chain from the wallet; the commitment comes from the contract's own commitmentOf. */
async function grant(wallet: Wallet, options: { seconds?: number; bundle?: Record<string, unknown> } = {}) {
  const now = await local.now()
  const terms: ShareGrantTerms = {
    patient: wallet.account.address,
    grantee: keccak256(toHex('whoever holds this QR')),
    scopeHash: keccak256(toHex('allergies')),
    purpose: stringToHex('TREAT', { size: 32 }),
    validFrom: now - 60n,
    validUntil: now + BigInt(options.seconds ?? 3600),
    dataHash: keccak256(toHex(JSON.stringify(options.bundle ?? sampleBundle()))),
    salt: newNonce(),
  }
  const registry = local.deployment.consentRegistry
  const commitment = await local.publicClient.readContract({ address: registry, abi: consentRegistryAbi, functionName: 'commitmentOf', args: [terms] })
  await confirm(wallet.writeContract({ address: registry, abi: consentRegistryAbi, functionName: 'grant', args: [commitment, terms.validUntil] }))
  return { terms, commitment }
}

async function revoke(wallet: Wallet, commitment: Hex) {
  await confirm(wallet.writeContract({ address: local.deployment.consentRegistry, abi: consentRegistryAbi, functionName: 'revoke', args: [commitment] }))
}

async function confirm(sent: Promise<Hex>) {
  const receipt = await local.publicClient.waitForTransactionReceipt({ hash: await sent, pollingInterval: 50 })
  expect(receipt.status).toBe('success')
}

/** A CareKey share as the app makes it: a grant on chain, then the share with the grant beside it, and a link with `"_ck":2`. */
async function grantedShare(options: { passcode?: string; seconds?: number } = {}): Promise<MadeShare & { commitment: Hex; terms: ShareGrantTerms }> {
  const bundle = sampleBundle()
  const { terms, commitment } = await grant(local.wallets[1] as Wallet, { bundle, ...(options.seconds && { seconds: options.seconds }) })
  const made = await makeShare(target, signerOf(patient), {
    commitment,
    bundle,
    grant: { chainId: target.chainId, registry: target.registry, terms },
    ...(options.passcode && { passcode: options.passcode }),
  })
  return { ...made, commitment, terms }
}

const manifestStatus = async (url: string, body: Record<string, unknown> = {}) =>
  (await postManifest(fetch, url, { recipient: 'Dr. Ada Lovelace', ...body })).status

describe('share host on a real chain', () => {
  it('uses the same wallet account the fixture funds for the patient', () => {
    expect(local.wallets[1]?.account.address).toBe(patient.address)
  })

  it('serves the manifest and files while the grant is active, and answers 404 once it is revoked on chain', async () => {
    const share = await grantedShare()
    // The grant beside the manifest is the one recorded on chain.
    const { terms, chainId, registry } = await fetchShareGrant(decodeShlink(share.link).payload)
    expect(terms).toEqual(share.terms)
    expect(grantCommitment(terms, { chainId, registry })).toBe(share.commitment)
    const { files } = await openShareLink(decodeShlink(share.link).payload, { recipient: 'Dr. Ada Lovelace' })
    expect(files).toMatchObject([{ contentType: 'application/fhir+json', content: share.bundle }])
    const linked = (await (await postManifest(fetch, share.manifestUrl, { recipient: 'x', embeddedLengthMax: 0 })).json()) as ShlManifest
    const location = linked.files[0]?.location ?? ''
    expect((await fetch(location)).status).toBe(200)

    await revoke(local.wallets[1] as Wallet, share.commitment)
    expect(await manifestStatus(share.manifestUrl)).toBe(404)
    expect((await fetch(location)).status).toBe(404)
    await expect(openShareLink(decodeShlink(share.link).payload, { recipient: 'x' })).rejects.toBeInstanceOf(ShareNotAvailableError)
    // The patient still manages a share whose grant they revoked.
    expect((await deactivateShare(target, signerOf(patient), share.id)).status).toBe('deactivated')
  })

  it('answers 404 once the grant has expired on chain', async () => {
    const share = await grantedShare({ seconds: 600 })
    expect(await manifestStatus(share.manifestUrl)).toBe(200)
    await local.clock.advance(601)
    expect(await manifestStatus(share.manifestUrl)).toBe(404)
  })

  it('lets file locations expire with the host clock', async () => {
    const share = await grantedShare()
    const linked = (await (await postManifest(fetch, share.manifestUrl, { recipient: 'x', embeddedLengthMax: 0 })).json()) as ShlManifest
    const location = linked.files[0]?.location ?? ''
    expect(await (await fetch(location)).text()).toBe(share.jwe)
    offsetMs += 901_000
    const expired = await fetch(location)
    expect([expired.status, ((await expired.json()) as { error: string }).error]).toEqual([404, 'location_expired'])
    expect(await manifestStatus(share.manifestUrl, { embeddedLengthMax: 0 })).toBe(200)
  })

  it('holds the passcode count under 20 parallel wrong guesses over HTTP: exactly 10 refusals counting down, then 404', async () => {
    const share = await grantedShare({ passcode: '2468' })
    const replies = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const response = await postManifest(fetch, share.manifestUrl, { recipient: `guess ${i}`, passcode: String(1000 + i) })
        return { status: response.status, body: (await response.json()) as { remainingAttempts?: number } }
      }),
    )
    const counts = replies.filter((r) => r.status === 401).map((r) => r.body.remainingAttempts ?? -1)
    expect(counts.sort((a, b) => b - a)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0])
    expect(replies.filter((r) => r.status === 404)).toHaveLength(10)
    expect(await manifestStatus(share.manifestUrl, { passcode: '2468' })).toBe(404)
    expect((await readShareAccessLog(target, signerOf(patient), share.id)).share.status).toBe('locked')
  })

  it('refuses a replayed management signature and a signer who is not the grant’s patient', async () => {
    const share = await grantedShare()
    let captured: { url: string; init: RequestInit } | undefined
    const recording = (url: string, init?: RequestInit) => {
      captured = { url, init: init ?? {} }
      return fetch(url, init)
    }
    await readShareAccessLog({ ...target, fetch: recording }, signerOf(patient), share.id)
    if (!captured) throw new Error('no request was sent')
    const replayed = await fetch(captured.url, captured.init)
    expect([replayed.status, ((await replayed.json()) as { detail: string }).detail]).toEqual([401, 'this signed request was used before'])

    await expect(deactivateShare(target, signerOf(stranger), share.id)).rejects.toMatchObject({ status: 403 })
    // The stranger's own grant does not let them put a share under the patient's commitment.
    const theirs = await grant(local.wallets[2] as Wallet)
    await expect(makeShare(target, signerOf(stranger), { commitment: share.commitment })).rejects.toMatchObject({ status: 403 })
    expect((await makeShare(target, signerOf(stranger), { commitment: theirs.commitment })).id).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(await manifestStatus(share.manifestUrl)).toBe(200)
  })

  it('logs who opened the share, with the verified address of a recipient who signed', async () => {
    const share = await grantedShare()
    // The proof is signed in the domain of the link's grant, read from beside the manifest.
    const payload = decodeShlink(share.link).payload
    const carekey = await fetchShareGrant(payload)
    await openShareLink(payload, { recipient: 'Dr. Grace Hopper', recipientSigner: signerOf(clinician), carekey, clock: target.clock })
    await openShareLink(decodeShlink(share.link).payload, { recipient: 'Front desk' })
    const { entries } = await readShareAccessLog(target, signerOf(patient), share.id)
    expect(entries.map((e) => [e.recipient, e.outcome, e.verifiedAddress])).toEqual([
      ['Dr. Grace Hopper', 'opened', clinician.address],
      ['Front desk', 'opened', undefined],
    ])
  })
})

describe('the viewer’s client against the real host: lazy files, caps and timeouts over real HTTP', () => {
  it('lists the files with one manifest request, then fetches and decrypts only the file opened', async () => {
    const share = await grantedShare()
    const asked: string[] = []
    // A viewer that asks for locations rather than embedded files.
    const viewerFetch: FetchLike = (url, init) => {
      asked.push(url)
      const body = typeof init?.body === 'string' ? JSON.stringify({ ...(JSON.parse(init.body) as object), embeddedLengthMax: 0 }) : init?.body
      return fetch(url, { ...init, ...(body !== undefined && { body }) })
    }
    const { files } = await listShareFiles(decodeShlink(share.link).payload, { recipient: 'Dr. Ada Lovelace', fetch: viewerFetch })
    expect(asked).toEqual([share.manifestUrl])
    expect(files.map((f) => f.contentType)).toEqual(['application/fhir+json'])
    expect((await files[0]?.open())?.content).toEqual(share.bundle)
    expect(asked).toHaveLength(2)
    expect(asked[1]).toMatch(new RegExp(`^${share.manifestUrl}/files/`))
  })

  it('stops reading a file from the host as soon as it passes the cap', async () => {
    const share = await grantedShare()
    // Below the file's size: the host links it rather than embedding it, and the body is cut off.
    const limits = { maxFileBytes: share.jwe.length - 1 }
    const { files } = await listShareFiles(decodeShlink(share.link).payload, { recipient: 'Dr. Ada Lovelace', limits })
    await expect(files[0]?.open()).rejects.toBeInstanceOf(ShareFileTooLargeError)
    await expect(openShareLink(decodeShlink(share.link).payload, { recipient: 'x', limits: { maxFileBytes: share.jwe.length } })).resolves.toMatchObject({
      files: [{ content: share.bundle }],
    })
  })

  it('gives up on a host that takes the connection and never answers, and closes the connection', async () => {
    const sockets: Socket[] = []
    /** The connection the request came in on, closed once the client gives up. */
    let asked: Promise<void> | undefined
    const silent = createServer((socket) => {
      sockets.push(socket)
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()))
      socket.once('data', () => {
        asked = closed
      })
    })
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    try {
      const address = silent.address()
      if (address === null || typeof address === 'string') throw new Error('the silent host has no port')
      const share = await grantedShare()
      const payload = { ...decodeShlink(share.link).payload, url: `http://127.0.0.1:${address.port}/shl/${share.id}` }
      const error = await listShareFiles(payload, { recipient: 'Dr. Ada Lovelace', limits: { timeoutMs: 1_000 } }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ShareHostTimeoutError)
      expect(asked).toBeDefined()
      await asked
    } finally {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => silent.close(resolve))
    }
  })
})

describe('an independent SMART Health Links viewer (kill-the-clipboard)', () => {
  it('opens a CareKey link behind the viewer URL, passcode and extension included, and gets the same bundle', async () => {
    const share = await grantedShare({ passcode: '2468' })
    const link = shlinkViewerUrl('http://localhost:5173/view', { ...share.payload, label: 'Allergies for Dr. Lovelace' })
    const ours = await openShareLink(decodeShlink(link).payload, { recipient: 'Dr. Ada Lovelace', passcode: '2468' })

    for (const embeddedLengthMax of [undefined, 0]) {
      const viewer = new SHLViewer({ shlinkURI: link })
      expect(viewer.shl.requiresPasscode).toBe(true)
      const resolved = await viewer.resolveSHL({
        recipient: 'Independent viewer',
        passcode: '2468',
        ...(embeddedLengthMax !== undefined && { embeddedLengthMax }),
      })
      expect(resolved.fhirResources).toEqual([share.bundle])
      expect(resolved.fhirResources).toEqual(ours.files.map((f) => f.content))
      const kinds = resolved.manifest?.files.map((f) => ('embedded' in f ? 'embedded' : 'location'))
      expect(kinds).toEqual([embeddedLengthMax === 0 ? 'location' : 'embedded'])
    }
  })
})

describe('the share host as its own process (npm run server)', () => {
  let server: ManagedProcess | undefined
  afterAll(async () => {
    await server?.stop()
  })

  it('starts from environment variables and serves a share behind an active grant', async () => {
    const port = await freePort()
    const processDir = await mkdtemp(join(tmpdir(), 'carekey-share-host-process-'))
    server = startProcess('share host', join(process.cwd(), 'node_modules', '.bin', 'tsx'), ['server/main.ts'], {
      env: {
        ...process.env,
        CAREKEY_CHAIN_ID: String(local.deployment.chainId),
        CAREKEY_RPC_URL: local.chain.rpcUrl,
        CAREKEY_CONSENT_REGISTRY: local.deployment.consentRegistry,
        CAREKEY_SHARE_HOST_PORT: String(port),
        CAREKEY_SHARE_HOST_DATA_DIR: processDir,
      },
      stdio: 'ignore',
    })
    const hostUrl = `http://localhost:${port}`
    await waitForHealth(hostUrl, server)
    const processTarget = { ...target, hostUrl, clock: Date.now }
    const { commitment, terms } = await grant(local.wallets[1] as Wallet)
    const share = await makeShare(processTarget, signerOf(patient), { commitment, grant: { chainId: target.chainId, registry: target.registry, terms } })
    expect((await fetchShareGrant(decodeShlink(share.link).payload)).terms).toEqual(terms)
    const { files } = await openShareLink(decodeShlink(share.link).payload, { recipient: 'Dr. Ada Lovelace' })
    expect(files[0]?.content).toEqual(share.bundle)
    await server.stop()
    await rm(processDir, { recursive: true, force: true })
  })
})

async function waitForHealth(url: string, proc: ManagedProcess): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    if (proc.child.exitCode !== null) throw new Error(`the share host exited with code ${proc.child.exitCode}`)
    try {
      if ((await fetch(`${url}/health`)).ok) return
    } catch {
      if (attempt > 300) throw new Error('the share host did not start within 30 s')
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
