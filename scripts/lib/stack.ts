import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Address } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { readShareHostConfig, type ShareHostConfig } from '../../server/src/config.ts'
import { startShareHost, type RunningShareHost } from '../../server/src/serve.ts'
import { ANVIL_DEPLOYER_KEY, ANVIL_SPONSOR_KEY, startAnvil, type LocalChain } from './anvil.ts'
import { deployContracts, LOCAL_LICENSING_BODY, type Deployment } from './deploy.ts'
import { freePort } from './ports.ts'

export type BackendStack = {
  chain: LocalChain
  deployment: Deployment
  shareHostUrl: string
  /** The account that pays for relayed grants (anvil's account 9). */
  sponsor: Address
  /** The CredentialRegistry's one issuer, the local licensing body (anvil's account 8, ANVIL_ISSUER_KEY). */
  licensingBody: Address
  /** Where the share host keeps its database (what it stores, for tests that read it raw). */
  shareHostDataDir: string
  /** The CAREKEY_* variables an app build or a share host needs to use this stack. */
  env: Record<string, string>
  stop(): Promise<void>
}

export type BackendOptions = {
  chainPort?: number
  shareHostPort?: number
  /** Where the share host keeps its files; a fresh temporary folder when absent. */
  shareHostDataDir?: string
  /** More share host settings (CAREKEY_RELAY_*, ...), for tests and benchmarks. */
  shareHostEnv?: Record<string, string>
  /**
   * Starts the share host another way, given its configuration and the CAREKEY_* variables an
   * app build needs: the end-to-end tests build the app and serve both, as `npm start` does.
   */
  serveShareHost?: (config: ShareHostConfig, appEnv: Record<string, string>) => Promise<RunningShareHost>
}

/**
 * Starts what the app talks to: an anvil chain with the contracts deployed and the share host,
 * whose sponsor relay pays with anvil's account 9. The CredentialRegistry's licensing body is
 * anvil's account 8 (`licensingBody`, key ANVIL_ISSUER_KEY). Used by `npm run dev`, the end-to-end tests
 * and the benchmarks.
 */
export async function startBackend(options: BackendOptions = {}): Promise<BackendStack> {
  const stops: (() => Promise<void>)[] = []
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined)
  }
  try {
    const chain = await startAnvil({ port: options.chainPort })
    stops.push(() => chain.stop())
    const deployment = await deployContracts(chain.client, chain.rpcUrl, ANVIL_DEPLOYER_KEY)

    const hostPort = options.shareHostPort ?? (await freePort())
    let dataDir = options.shareHostDataDir
    if (!dataDir) {
      const temp = await mkdtemp(join(tmpdir(), 'carekey-share-host-'))
      stops.push(() => rm(temp, { recursive: true, force: true }))
      dataDir = temp
    }
    const shareHostUrl = `http://localhost:${hostPort}`
    const env = {
      CAREKEY_CHAIN_ID: String(deployment.chainId),
      CAREKEY_RPC_URL: chain.rpcUrl,
      CAREKEY_CONSENT_REGISTRY: deployment.consentRegistry,
      CAREKEY_CONSENT_REGISTRY_BLOCK: String(deployment.deployBlock),
      CAREKEY_CREDENTIAL_REGISTRY: deployment.credentialRegistry,
      CAREKEY_CREDENTIAL_REGISTRY_BLOCK: String(deployment.credentialRegistryBlock),
      CAREKEY_PRESCRIPTION_REGISTRY: deployment.prescriptionRegistry,
      CAREKEY_PRESCRIPTION_REGISTRY_BLOCK: String(deployment.prescriptionRegistryBlock),
      CAREKEY_SHARE_HOST_URL: shareHostUrl,
    }
    const serveShareHost = options.serveShareHost ?? ((config: ShareHostConfig) => startShareHost(config))
    const host = await serveShareHost(
      readShareHostConfig({
        ...env,
        CAREKEY_SHARE_HOST_PORT: String(hostPort),
        CAREKEY_SHARE_HOST_DATA_DIR: dataDir,
        CAREKEY_SPONSOR_PRIVATE_KEY: ANVIL_SPONSOR_KEY,
        // anvil mines each transaction at once: ask for receipts often.
        CAREKEY_RELAY_POLL_MS: '100',
        ...options.shareHostEnv,
      }),
      env,
    )
    stops.push(() => host.close())
    return {
      chain,
      deployment,
      shareHostUrl,
      sponsor: privateKeyToAccount(ANVIL_SPONSOR_KEY).address,
      licensingBody: LOCAL_LICENSING_BODY,
      shareHostDataDir: dataDir,
      env,
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
