import { Agent, request as httpRequest } from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Address } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { freePort } from '../scripts/lib/ports.ts'
import { startProcess } from '../scripts/lib/processes.ts'
import { encodeShareAuthorization, hashRequestBody, newNonce, newShareId, shareRequestTypedData } from '../src/domain/shl/index.ts'
import { timingRow, type BenchSuite } from './lib/context.ts'
import { waitForHealth } from '../scripts/lib/shareHostProcess.ts'

const UPLOAD_BYTES = 32 * 1_048_576
const REJECT_RUNS = 7
const UPLOADS_IN_FLIGHT = 4
const HEALTH_REQUESTS = 400
/** Any address: forged requests are refused at the signature, before anything asks the chain. */
const REGISTRY: Address = '0x5FbDB2315678afecb367f032d93F642f64180aa3'

/**
 * The share host under abuse (a real host process, as `npm run server`, rate limit off; no
 * chain is needed, since forged requests are refused before the chain is asked):
 * - share.host_unauth_32mb_reject_ms: from sending a 32 MiB `POST /api/shares` whose
 *   Authorization header is well formed but not signed by its signer, to the host's 401
 *   (median of REJECT_RUNS, each on a fresh connection).
 * - share.health_p99_under_abuse_ms: p99 latency of HEALTH_REQUESTS sequential `GET /health`
 *   while UPLOADS_IN_FLIGHT such uploads are in flight at all times, sent from this process
 *   as fast as loopback takes them (each refused one is followed by another). After its 401
 *   the host still reads and drops the rest of each body, as HTTP/1.1 needs for the client to
 *   get the reply, so what remains is the cost of moving those bytes, not of hashing them.
 */
export const shareAbuseSuite: BenchSuite = {
  name: 'share',
  rows: ['share.host_unauth_32mb_reject_ms', 'share.health_p99_under_abuse_ms'],
  async run() {
    const dataDir = await mkdtemp(join(tmpdir(), 'carekey-bench-share-abuse-'))
    const port = await freePort()
    const hostUrl = `http://localhost:${port}`
    const host = startProcess('share host', join(process.cwd(), 'node_modules', '.bin', 'tsx'), ['server/main.ts'], {
      env: {
        ...process.env,
        CAREKEY_DEPLOYMENT: '',
        CAREKEY_CHAIN_ID: '31337',
        CAREKEY_RPC_URL: 'http://127.0.0.1:9',
        CAREKEY_CONSENT_REGISTRY: REGISTRY,
        CAREKEY_SHARE_HOST_URL: hostUrl,
        CAREKEY_SHARE_HOST_PORT: String(port),
        CAREKEY_SHARE_HOST_DATA_DIR: dataDir,
        CAREKEY_SHARE_HOST_RATE_LIMIT: '0',
      },
      stdio: 'ignore',
    })
    try {
      await waitForHealth(`${hostUrl}/health`)
      const body = Buffer.alloc(UPLOAD_BYTES, 0x20)
      // A refused request uses up no nonce, so one forged header can be sent again and again.
      const forged = await forgedAuthorization(hostUrl)

      await forgedUpload(hostUrl, forged, body)
      const rejectMs: number[] = []
      for (let i = 0; i < REJECT_RUNS; i++) rejectMs.push(await forgedUpload(hostUrl, forged, body))

      for (let i = 0; i < 50; i++) await timedHealth(hostUrl)
      let abusing = true
      let abuseFailed: Error | undefined
      const abusers = Array.from({ length: UPLOADS_IN_FLIGHT }, async () => {
        try {
          while (abusing) await forgedUpload(hostUrl, forged, body)
        } catch (error) {
          abuseFailed ??= error instanceof Error ? error : new Error(String(error))
        }
      })
      const healthMs: number[] = []
      try {
        for (let i = 0; i < HEALTH_REQUESTS && abuseFailed === undefined; i++) healthMs.push(await timedHealth(hostUrl))
      } finally {
        abusing = false
        await Promise.all(abusers)
      }
      if (abuseFailed !== undefined) throw abuseFailed
      return [
        timingRow('share.host_unauth_32mb_reject_ms', rejectMs, 'ms, loopback'),
        { name: 'share.health_p99_under_abuse_ms', value: percentile(healthMs, 0.99), unit: 'ms' },
      ]
    } finally {
      await host.stop()
      await rm(dataDir, { recursive: true, force: true })
    }
  },
}

/** A header for a new share, well formed, signed by a random key but naming another signer. */
async function forgedAuthorization(hostUrl: string): Promise<string> {
  const forger = privateKeyToAccount(generatePrivateKey())
  const shareId = newShareId()
  const nonce = newNonce()
  const expiresAt = Math.floor(Date.now() / 1000) + 300
  const bodyHash = await hashRequestBody('{}')
  const signature = await forger.signTypedData(
    shareRequestTypedData({ chainId: 31337, registry: REGISTRY, action: 'create-share', host: hostUrl, shareId, bodyHash, nonce, expiresAt }),
  )
  const claimed = privateKeyToAccount(generatePrivateKey()).address
  return encodeShareAuthorization({ signer: claimed, nonce, expiresAt, bodyHash, shareId, commitment: newNonce(), signature })
}

/**
 * Sends a whole upload on a fresh keep-alive connection, as a browser would; resolves with the
 * milliseconds until the host's reply, once the body is through (the host reads and drops
 * what follows a refusal) or the host has cut the connection.
 */
function forgedUpload(hostUrl: string, authorization: string, body: Buffer): Promise<number> {
  const agent = new Agent({ keepAlive: true })
  return new Promise<number>((resolve, reject) => {
    const start = performance.now()
    let repliedAfter: number | undefined
    let bodyGone = false
    const settle = () => {
      if (repliedAfter !== undefined && bodyGone) resolve(repliedAfter)
    }
    const request = httpRequest(`${hostUrl}/api/shares`, {
      method: 'POST',
      agent,
      headers: { authorization, 'content-type': 'application/json', 'content-length': String(body.byteLength) },
    })
    // The host may cut the connection while bytes are still queued, after the request is done.
    request.once('socket', (socket) => socket.on('error', () => undefined))
    request.once('response', (response) => {
      repliedAfter = performance.now() - start
      if (response.statusCode !== 401) reject(new Error(`a forged upload was answered ${response.statusCode}`))
      response.resume()
      settle()
    })
    request.once('finish', () => {
      bodyGone = true
      settle()
    })
    request.once('error', (error) => {
      bodyGone = true
      if (repliedAfter === undefined) reject(error)
      else settle()
    })
    request.end(body)
  }).finally(() => agent.destroy())
}

async function timedHealth(hostUrl: string): Promise<number> {
  const start = performance.now()
  const response = await fetch(`${hostUrl}/health`)
  await response.arrayBuffer()
  if (!response.ok) throw new Error(`/health answered ${response.status}`)
  return performance.now() - start
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0
}
