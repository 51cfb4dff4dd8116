import { createRequire } from 'node:module'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createPublicClient, http, type PublicClient } from 'viem'
import { foundry } from 'viem/chains'
import { freePort } from './ports.ts'
import { startProcess, type ManagedProcess } from './processes.ts'

const require = createRequire(import.meta.url)

/** anvil's first development account. Its key is public: use it for local chains only. */
export const ANVIL_DEPLOYER_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80' as const

/**
 * anvil's last development account (index 9), the local share host's sponsor: it pays for
 * relayed grants. Not the deployer (0), nor the accounts tests act as patients (1 to 5).
 */
export const ANVIL_SPONSOR_KEY = '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6' as const

/**
 * anvil's account 8, the local stack's licensing body: the one credential issuer the local
 * CredentialRegistry is deployed with (it registers clinicians, prescribers and pharmacies).
 * Not the deployer (0), the sponsor (9), nor the accounts tests act as patients (1 to 5).
 */
export const ANVIL_ISSUER_KEY = '0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97' as const

/**
 * The anvil binary: the platform package's real binary when it is installed (so that a stop
 * signal reaches anvil itself), else the npm wrapper.
 */
export function anvilBinary(): string {
  const platformPackage = `@foundry-rs/anvil-${process.platform}-${process.arch === 'x64' ? 'amd64' : process.arch}`
  try {
    const binary = join(dirname(require.resolve(`${platformPackage}/package.json`)), 'bin', 'anvil')
    if (existsSync(binary)) return binary
  } catch {
    // Not installed for this platform: fall back to the wrapper below.
  }
  const wrapper = join(process.cwd(), 'node_modules', '.bin', 'anvil')
  if (existsSync(wrapper)) return wrapper
  throw new Error('anvil is not installed: run npm install (it comes with the @foundry-rs/anvil package).')
}

export type LocalChain = {
  readonly rpcUrl: string
  readonly port: number
  readonly chainId: number
  readonly client: PublicClient
  readonly process: ManagedProcess
  stop(): Promise<void>
}

export type StartAnvilOptions = {
  /** A fixed port; a free one when absent. */
  port?: number
  /** Seconds between blocks; 0 (default) mines on each transaction. */
  blockTime?: number
  /** Keep the chain's log on the console. */
  verbose?: boolean
  /** Another chain id than the local development chain's 31337 (to stand in for a remote chain). */
  chainId?: number
}

/** Starts anvil and resolves once it answers JSON-RPC. */
export async function startAnvil(options: StartAnvilOptions = {}): Promise<LocalChain> {
  const port = options.port ?? (await freePort())
  const chainId = options.chainId ?? foundry.id
  const args = ['--port', String(port), '--host', '127.0.0.1', '--chain-id', String(chainId)]
  if (!options.verbose) args.push('--silent')
  if (options.blockTime) args.push('--block-time', String(options.blockTime))
  const proc = startProcess('anvil', anvilBinary(), args, { stdio: options.verbose ? 'inherit' : 'ignore' })
  const rpcUrl = `http://127.0.0.1:${port}`
  const client = createPublicClient({ chain: { ...foundry, id: chainId }, transport: http(rpcUrl, { retryCount: 0 }), pollingInterval: 100 })
  const deadline = Date.now() + 20_000
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`anvil exited with code ${proc.child.exitCode} before it was ready (port ${port})`)
    try {
      await client.getChainId()
      break
    } catch {
      if (Date.now() > deadline) {
        await proc.stop()
        throw new Error(`anvil did not answer on ${rpcUrl} within 20 s`)
      }
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  return { rpcUrl, port, chainId, client, process: proc, stop: () => proc.stop() }
}
