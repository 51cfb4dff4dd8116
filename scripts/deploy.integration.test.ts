/**
 * `npm run deploy` against a second anvil with its own chain id, standing in for a remote chain.
 */
import { spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toHex } from 'viem'
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount } from 'viem/accounts'
import { consentRegistryAbi } from '../contracts/generated/ConsentRegistry.ts'
import { credentialRegistryAbi } from '../contracts/generated/CredentialRegistry.ts'
import { prescriptionRegistryAbi } from '../contracts/generated/PrescriptionRegistry.ts'
import { readDeploymentFile } from '../contracts/deployment.ts'
import { readShareHostConfig } from '../server/src/config.ts'
import { deployFromEnvironment } from './deploy.ts'
import { startAnvil, type LocalChain } from './lib/anvil.ts'
import { freePort } from './lib/ports.ts'

const REMOTE_CHAIN_ID = 4242
/** Any funded account deploys; this one is not the local stack's deployer. */
const deployerKey = toHex(mnemonicToAccount('test test test test test test test test test test test junk', { addressIndex: 3 }).getHdKey().privateKey ?? new Uint8Array())

let remote: LocalChain
let dir: string

beforeAll(async () => {
  remote = await startAnvil({ chainId: REMOTE_CHAIN_ID })
  dir = await mkdtemp(join(tmpdir(), 'carekey-deploy-it-'))
})

afterAll(async () => {
  await remote?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

const env = () => ({ CAREKEY_RPC_URL: remote.rpcUrl, CAREKEY_DEPLOYER_KEY: deployerKey, CAREKEY_DEPLOYMENTS_DIR: dir })

describe('npm run deploy', () => {
  it('deploys to the chain at CAREKEY_RPC_URL and writes a deployment file the share host reads', async () => {
    const { path, deployment } = await deployFromEnvironment({ ...env(), CAREKEY_DEPLOYMENT_NAME: 'remote-test', CAREKEY_CHAIN_ID: String(REMOTE_CHAIN_ID) })
    expect(path).toBe(join(dir, 'remote-test.json'))
    expect(readDeploymentFile(path)).toEqual(deployment)
    expect(Object.keys(JSON.parse(await readFile(path, 'utf8')) as object).sort()).toEqual([
      'chainId',
      'consentRegistry',
      'credentialIssuers',
      'credentialRegistry',
      'credentialRegistryBlock',
      'deployBlock',
      'prescriptionRegistry',
      'prescriptionRegistryBlock',
    ])
    expect(deployment.chainId).toBe(REMOTE_CHAIN_ID)
    // Three contracts, one block each, in order: consent, credentials, prescriptions.
    expect(deployment.prescriptionRegistryBlock).toBe(Number(await remote.client.getBlockNumber()))
    expect([deployment.credentialRegistryBlock, deployment.prescriptionRegistryBlock]).toEqual([deployment.deployBlock + 1, deployment.deployBlock + 2])
    // Without CAREKEY_CREDENTIAL_ISSUERS the deployer is the one licensing body.
    expect(deployment.credentialIssuers).toEqual([privateKeyToAccount(deployerKey).address])
    expect(await remote.client.readContract({ address: deployment.credentialRegistry, abi: credentialRegistryAbi, functionName: 'issuers' })).toEqual(
      deployment.credentialIssuers,
    )
    expect(await remote.client.readContract({ address: deployment.prescriptionRegistry, abi: prescriptionRegistryAbi, functionName: 'credentials' })).toBe(
      deployment.credentialRegistry,
    )

    // The registry answers there.
    const read = (functionName: 'domainSeparator') => remote.client.readContract({ address: deployment.consentRegistry, abi: consentRegistryAbi, functionName })
    expect(await read('domainSeparator')).toMatch(/^0x[0-9a-f]{64}$/)
    const status = await remote.client.readContract({
      address: deployment.consentRegistry,
      abi: consentRegistryAbi,
      functionName: 'statusOfCommitment',
      args: [deployment.consentRegistry, `0x${'11'.repeat(32)}`],
    })
    expect(status).toEqual([0, 0n])

    const config = readShareHostConfig({ CAREKEY_RPC_URL: remote.rpcUrl, CAREKEY_DEPLOYMENT: path })
    expect([config.chainId, config.consentRegistry]).toEqual([REMOTE_CHAIN_ID, deployment.consentRegistry])
  })

  it('deploys the CredentialRegistry with the licensing bodies CAREKEY_CREDENTIAL_ISSUERS names, and refuses a malformed list', async () => {
    const issuers = [1, 2].map((i) => mnemonicToAccount('test test test test test test test test test test test junk', { addressIndex: 6 + i }).address)
    const { deployment } = await deployFromEnvironment({ ...env(), CAREKEY_DEPLOYMENT_NAME: 'issuers', CAREKEY_CREDENTIAL_ISSUERS: issuers.map((a) => a.toLowerCase()).join(', ') })
    expect(deployment.credentialIssuers).toEqual(issuers)
    expect(await remote.client.readContract({ address: deployment.credentialRegistry, abi: credentialRegistryAbi, functionName: 'issuers' })).toEqual(issuers)
    await expect(deployFromEnvironment({ ...env(), CAREKEY_CREDENTIAL_ISSUERS: `${issuers[0]},0x1234` })).rejects.toThrow(/CAREKEY_CREDENTIAL_ISSUERS must be/)
  })

  it('names the file after the chain id by default', async () => {
    const { path } = await deployFromEnvironment(env())
    expect(path).toBe(join(dir, `chain-${REMOTE_CHAIN_ID}.json`))
  })

  it('refuses clearly: no key, a malformed key, a chain that does not answer, another chain id, an unfunded deployer', async () => {
    await expect(deployFromEnvironment({ ...env(), CAREKEY_DEPLOYER_KEY: '' })).rejects.toThrow(/CAREKEY_DEPLOYER_KEY is not set/)
    await expect(deployFromEnvironment({ ...env(), CAREKEY_DEPLOYER_KEY: '0x1234' })).rejects.toThrow(/32-byte private key/)
    await expect(deployFromEnvironment({ ...env(), CAREKEY_RPC_URL: '' })).rejects.toThrow(/CAREKEY_RPC_URL is not set/)
    const closed = `http://127.0.0.1:${await freePort()}`
    await expect(deployFromEnvironment({ ...env(), CAREKEY_RPC_URL: closed })).rejects.toThrow(/does not answer/)
    await expect(deployFromEnvironment({ ...env(), CAREKEY_CHAIN_ID: '84532' })).rejects.toThrow(/has chain id 4242, but CAREKEY_CHAIN_ID says 84532/)
    await expect(deployFromEnvironment({ ...env(), CAREKEY_DEPLOYER_KEY: generatePrivateKey() })).rejects.toThrow(/has no funds on chain 4242/)
  })

  it('runs as a command: prints where it wrote, and exits 1 with the reason without printing the key', () => {
    const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx')
    const ok = spawnSync(tsx, ['scripts/deploy.ts'], { env: { ...process.env, ...env(), CAREKEY_DEPLOYMENT_NAME: 'cli' }, encoding: 'utf8' })
    expect(ok.status).toBe(0)
    expect(ok.stdout).toContain(join(dir, 'cli.json'))
    expect(`${ok.stdout}${ok.stderr}`).not.toContain(deployerKey.slice(2))
    const failed = spawnSync(tsx, ['scripts/deploy.ts'], { env: { ...process.env, ...env(), CAREKEY_CHAIN_ID: '1' }, encoding: 'utf8' })
    expect(failed.status).toBe(1)
    expect(failed.stderr).toContain('CAREKEY_CHAIN_ID says 1')
    expect(`${failed.stdout}${failed.stderr}`).not.toContain(deployerKey.slice(2))
  }, 120_000)
})
