import { beforeAll, describe, expect, it } from 'vitest'
import { createConfig, http } from 'wagmi'
import { connect, getPublicClient, waitForTransactionReceipt, writeContract } from 'wagmi/actions'
import { createPublicClient, defineChain, http as viemHttp, zeroAddress, type Address, type Chain, type Hex, type LocalAccount, type PublicClient, type TransactionReceipt } from 'viem'
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount } from 'viem/accounts'
import { ANVIL_MNEMONIC, startLocalChainForTests } from '../../scripts/lib/chainFixture.ts'
import { GrantValidityEndedError } from '../domain/consent/errors.ts'
import { createGrantTerms, type GrantTerms } from '../domain/consent/terms.ts'
import { deriveWalletKeys } from '../domain/wallet/keys.ts'
import { parseRecoveryPhrase } from '../domain/wallet/mnemonic.ts'
import { NetworkUnreachableError, NotEnoughFundsError } from './errors.ts'
import {
  commitmentIn,
  consentRegistryAbi,
  decodeConsentReceipt,
  grantBatchRequest,
  grantFromReceipt,
  grantRequest,
  discoverGrantKeys,
  listPatientGrants,
  readCommitmentStatus,
  readGrantStatus,
  revokeFromReceipt,
  revokeRequest,
  type ConsentRegistryDeployment,
} from './consentRegistry.ts'
import {
  ConsentRegistryNotFoundError,
  ConsentTransactionFailedError,
  GrantAlreadyRecordedError,
  GrantAlreadyRevokedError,
  NotYourGrantError,
  toConsentChainError,
  WrongNetworkError,
} from './consentRegistryErrors.ts'
import { localWallet } from './localWalletConnector.ts'

const local = startLocalChainForTests()
// Not one of anvil's accounts, so that it never appears in a request as the patient.
const clinician: Address = privateKeyToAccount(generatePrivateKey()).address

/** The patient's wallet app: wagmi with CareKey's local-wallet connector for one anvil account. */
async function patientApp(addressIndex: number, account: LocalAccount = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex })) {
  const chain: Chain = defineChain({
    id: 31337,
    name: 'anvil',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [local.chain.rpcUrl] } },
  })
  // A second network the wallet is not on, to show what happens when the registry lives there.
  const elsewhere: Chain = defineChain({ ...chain, id: 1337, name: 'elsewhere' })
  const config = createConfig({
    chains: [chain, elsewhere],
    connectors: [localWallet({ getAccount: () => account, subscribe: () => () => undefined })],
    transports: { [chain.id]: http(local.chain.rpcUrl), [elsewhere.id]: http(local.chain.rpcUrl) },
    pollingInterval: 50,
  })
  const [connector] = config.connectors
  if (!connector) throw new Error('no connector')
  await connect(config, { connector })
  const client = getPublicClient(config, { chainId: chain.id })
  if (!client) throw new Error('no public client')
  return {
    account,
    config,
    client,
    /** Waits for a write sent through wagmi, mapping failures as the screens will. */
    async send(sending: Promise<Hex>): Promise<TransactionReceipt> {
      try {
        return await waitForTransactionReceipt(config, { hash: await sending })
      } catch (error) {
        throw toConsentChainError(error)
      }
    },
  }
}

let registry: ConsentRegistryDeployment
beforeAll(() => {
  registry = { chainId: local.deployment.chainId, address: local.deployment.consentRegistry, fromBlock: BigInt(local.deployment.deployBlock) }
})

async function termsFor(patient: Address, hours = 24, startInHours = 0): Promise<GrantTerms> {
  const now = new Date(Number(await local.now()) * 1000)
  return createGrantTerms(
    {
      patient,
      grantee: { kind: 'address', address: clinician },
      scope: { categories: ['allergies', 'medications'], recordIds: [], actions: ['access'] },
      purpose: 'TREAT',
      validFrom: startInHours ? new Date(now.getTime() + startInHours * 3_600_000) : undefined,
      validUntil: new Date(now.getTime() + (startInHours + hours) * 3_600_000),
    },
    { now },
  )
}

describe('consent registry bindings on a real chain', () => {
  it('grants through wagmi, confirms from the receipt, reads active, revokes, reads revoked', async () => {
    const app = await patientApp(1)
    const terms = await termsFor(app.account.address)
    const commitment = commitmentIn(registry, terms)
    expect(await readGrantStatus(app.client, registry, terms)).toEqual({ status: 'unknown', commitment, blockNumber: undefined })

    const receipt = await app.send(writeContract(app.config, grantRequest(registry, terms)))
    const granted = grantFromReceipt(registry, receipt, commitment)
    expect(granted).toEqual({
      kind: 'granted',
      patient: app.account.address,
      commitment,
      validUntil: terms.validUntil,
      transactionHash: receipt.transactionHash,
      blockNumber: receipt.blockNumber,
      logIndex: 0,
    })
    expect((await readGrantStatus(app.client, registry, terms)).status).toBe('active')
    expect(await readCommitmentStatus(app.client, registry, app.account.address, commitment)).toEqual({
      status: 'active',
      recordedUntil: terms.validUntil,
      blockNumber: undefined,
    })

    const revoked = revokeFromReceipt(registry, await app.send(writeContract(app.config, revokeRequest(registry, commitment))), commitment)
    expect(revoked).toMatchObject({ kind: 'revoked', patient: app.account.address, commitment })
    expect((await readGrantStatus(app.client, registry, terms)).status).toBe('revoked')
    // Read at the grant's block, the chain still says what it said then.
    expect(await readGrantStatus(app.client, registry, terms, { blockNumber: granted.blockNumber })).toEqual({
      status: 'active',
      commitment,
      blockNumber: granted.blockNumber,
    })
  })

  it('reads pending before the validity starts and expired after it ends', async () => {
    const app = await patientApp(2)
    const terms = await termsFor(app.account.address, 2, 1)
    await app.send(writeContract(app.config, grantRequest(registry, terms)))
    expect((await readGrantStatus(app.client, registry, terms)).status).toBe('pending')
    await local.clock.advance(3_600)
    expect((await readGrantStatus(app.client, registry, terms)).status).toBe('active')
    await local.clock.advance(2 * 3_600)
    expect((await readGrantStatus(app.client, registry, terms)).status).toBe('expired')
    expect((await readCommitmentStatus(app.client, registry, app.account.address, commitmentIn(registry, terms))).status).toBe('expired')
  })

  it('never sends the grantee, scope, purpose or salt to the RPC node when reading a status', async () => {
    const app = await patientApp(1)
    const terms = await termsFor(app.account.address)
    await app.send(writeContract(app.config, grantRequest(registry, terms)))
    const bodies: string[] = []
    const watched: PublicClient = createPublicClient({
      transport: viemHttp(local.chain.rpcUrl, { onFetchRequest: async (request) => void bodies.push(await request.clone().text()) }),
    })
    expect((await readGrantStatus(watched, registry, terms)).status).toBe('active')
    const sent = bodies.join('\n').toLowerCase()
    expect(sent).toContain(commitmentIn(registry, terms).slice(2))
    for (const hidden of [terms.grantee, terms.scopeHash, terms.purpose, terms.salt]) expect(sent).not.toContain(hidden.slice(2))
  })

  it('records a batch and decodes one event per grant from its receipt', async () => {
    const app = await patientApp(3)
    const all = await Promise.all([termsFor(app.account.address, 1), termsFor(app.account.address, 24), termsFor(app.account.address, 24 * 7)])
    const receipt = await app.send(writeContract(app.config, grantBatchRequest(registry, all)))
    expect(decodeConsentReceipt(registry, receipt).map((e) => [e.kind, e.commitment])).toEqual(all.map((t) => ['granted', commitmentIn(registry, t)]))
    for (const t of all) expect((await readGrantStatus(app.client, registry, t)).status).toBe('active')
    expect(() => grantBatchRequest(registry, [])).toThrow(RangeError)
  })

  it("lists a patient's grants and revocations from events, whatever the scan's block range", async () => {
    const patient = await patientApp(4)
    const other = await patientApp(5)
    const mine = await Promise.all([termsFor(patient.account.address), termsFor(patient.account.address), termsFor(patient.account.address)])
    const receipts: TransactionReceipt[] = []
    for (const t of mine) receipts.push(await patient.send(writeContract(patient.config, grantRequest(registry, t))))
    await other.send(writeContract(other.config, grantRequest(registry, await termsFor(other.account.address))))
    const revokeReceipt = await patient.send(writeContract(patient.config, revokeRequest(registry, commitmentIn(registry, mine[1]))))

    const { grants, toBlock } = await listPatientGrants(patient.client, registry, patient.account.address)
    expect(grants).toEqual(
      mine.map((t, i) => ({
        patient: patient.account.address,
        commitment: commitmentIn(registry, t),
        validUntil: t.validUntil,
        granted: { transactionHash: receipts[i]!.transactionHash, blockNumber: receipts[i]!.blockNumber, logIndex: 0 },
        revoked:
          i === 1 ? { transactionHash: revokeReceipt.transactionHash, blockNumber: revokeReceipt.blockNumber, logIndex: 0 } : undefined,
      })),
    )
    expect(toBlock).toBe(await local.publicClient.getBlockNumber({ cacheTime: 0 }))
    // Providers that cap eth_getLogs ranges: small windows give the same list.
    for (const maxBlockRange of [1n, 2n, 7n]) {
      expect((await listPatientGrants(patient.client, registry, patient.account.address, { maxBlockRange, toBlock })).grants).toEqual(grants)
    }
    expect((await listPatientGrants(patient.client, registry, patient.account.address, { toBlock: receipts[0]!.blockNumber })).grants).toEqual(
      grants.slice(0, 1).map((g) => ({ ...g, revoked: undefined })),
    )
  })
})

describe('finding per-grant keys from the phrase alone', () => {
  it('finds every grant key used, up to 20 unused keys in a row, and no further', async () => {
    const keys = await deriveWalletKeys(parseRecoveryPhrase(ANVIL_MNEMONIC))
    // Keys 0, 2 and 22 made grants (22 is 19 unused keys past 2: still found); 43 is 20 past 22: not found.
    const used = [0, 2, 22, 43]
    for (const index of used) {
      const account = keys.grantAccount(index)
      await local.publicClient.request({ method: 'anvil_setBalance' as never, params: [account.address, '0xde0b6b3a7640000'] as never })
      const app = await patientApp(0, account)
      await app.send(writeContract(app.config, grantRequest(registry, await termsFor(account.address))))
    }
    const { grants, nextIndex } = await discoverGrantKeys(local.publicClient, registry, (i) => keys.grantAccount(i).address)
    expect(grants.map((g) => g.keyIndex)).toEqual([0, 2, 22])
    expect(grants.map((g) => g.patient)).toEqual([0, 2, 22].map((i) => keys.grantAccount(i).address))
    expect(nextIndex).toBe(23)
    // With a smaller gap limit the search stops sooner.
    expect((await discoverGrantKeys(local.publicClient, registry, (i) => keys.grantAccount(i).address, { gapLimit: 2 })).nextIndex).toBe(3)
  })

  it('finds nothing for a wallet that never granted', async () => {
    const keys = await deriveWalletKeys(parseRecoveryPhrase('legal winner thank year wave sausage worth useful legal winner thank yellow'))
    expect(await discoverGrantKeys(local.publicClient, registry, (i) => keys.grantAccount(i).address)).toMatchObject({ grants: [], nextIndex: 0 })
  })
})

describe('consent registry failures, in words for the patient', () => {
  it('names each refusal of the contract', async () => {
    const app = await patientApp(6)
    const terms = await termsFor(app.account.address)
    const commitment = commitmentIn(registry, terms)
    await app.send(writeContract(app.config, grantRequest(registry, terms)))
    await expect(app.send(writeContract(app.config, grantRequest(registry, terms)))).rejects.toBeInstanceOf(GrantAlreadyRecordedError)

    const intruder = await patientApp(7)
    await expect(intruder.send(writeContract(intruder.config, revokeRequest(registry, commitment)))).rejects.toBeInstanceOf(NotYourGrantError)

    await app.send(writeContract(app.config, revokeRequest(registry, commitment)))
    await expect(app.send(writeContract(app.config, revokeRequest(registry, commitment)))).rejects.toBeInstanceOf(GrantAlreadyRevokedError)

    const now = await local.now()
    await expect(
      app.send(
        writeContract(app.config, {
          address: registry.address,
          abi: consentRegistryAbi,
          functionName: 'grant',
          args: [commitmentIn(registry, await termsFor(app.account.address)), now - 1n],
        }),
      ),
    ).rejects.toBeInstanceOf(GrantValidityEndedError)
  })

  it('says so when the wallet is on another network than the registry', async () => {
    const app = await patientApp(6)
    const terms = await termsFor(app.account.address)
    await expect(app.send(writeContract(app.config, grantRequest({ ...registry, chainId: 1337 }, terms)))).rejects.toBeInstanceOf(WrongNetworkError)
  })

  it('says so when the account cannot pay the network fee', async () => {
    const app = await patientApp(0, privateKeyToAccount(generatePrivateKey()))
    await expect(app.send(writeContract(app.config, grantRequest(registry, await termsFor(app.account.address))))).rejects.toBeInstanceOf(NotEnoughFundsError)
  })

  it('says so when no registry is at the configured address, or the network is down', async () => {
    const app = await patientApp(1)
    const terms = await termsFor(app.account.address)
    const missing = { ...registry, address: '0x000000000000000000000000000000000000c0de' as const }
    await expect(readGrantStatus(app.client, missing, terms)).rejects.toBeInstanceOf(ConsentRegistryNotFoundError)
    const down: PublicClient = createPublicClient({ transport: viemHttp('http://127.0.0.1:9', { retryCount: 0 }) })
    await expect(readGrantStatus(down, registry, terms)).rejects.toBeInstanceOf(NetworkUnreachableError)
    await expect(listPatientGrants(down, registry, app.account.address)).rejects.toBeInstanceOf(NetworkUnreachableError)
  })

  it('refuses to confirm from a reverted receipt or from a receipt without the grant', async () => {
    const app = await patientApp(8)
    const terms = await termsFor(app.account.address)
    const commitment = commitmentIn(registry, terms)
    const first = await app.send(writeContract(app.config, grantRequest(registry, terms)))
    expect(() => grantFromReceipt(registry, first, commitmentIn(registry, { ...terms, salt: `0x${'11'.repeat(32)}` }))).toThrow(
      ConsentTransactionFailedError,
    )
    expect(() => revokeFromReceipt(registry, first, commitment)).toThrow(ConsentTransactionFailedError)
    // Sent with a fixed gas limit, a duplicate grant is mined and reverts.
    const { chainId: _chainId, ...duplicate } = grantRequest(registry, terms)
    const hash = await local.wallets[8]!.writeContract({ ...duplicate, gas: 200_000n })
    const reverted = await local.publicClient.waitForTransactionReceipt({ hash })
    expect(reverted.status).toBe('reverted')
    expect(() => decodeConsentReceipt(registry, reverted)).toThrow(ConsentTransactionFailedError)
    // Events of other contracts are not ours.
    expect(decodeConsentReceipt({ ...registry, address: zeroAddress }, first)).toEqual([])
  })
})
