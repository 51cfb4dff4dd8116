import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import {
  createWalletClient,
  encodeAbiParameters,
  http,
  isHex,
  parseAbi,
  parseEventLogs,
  toHex,
  zeroAddress,
  zeroHash,
  type Hex,
  type TransactionReceipt,
} from 'viem'
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { consentRegistryAbi } from '../contracts/generated/ConsentRegistry.ts'
import { compactGrantSignature, grantTypedData, revokeTypedData } from '../src/domain/consent/grantSignature.ts'
import { ANVIL_DEPLOYER_KEY, startAnvil } from '../scripts/lib/anvil.ts'
import { deployContracts } from '../scripts/lib/deploy.ts'
import { median, type BenchSuite } from './lib/context.ts'

const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk'
const RUNS = 5
const DAY = 86_400n

// The EAS calls used here, from @ethereum-attestation-service/eas-contracts 1.9.0.
const schemaRegistryAbi = parseAbi([
  'function register(string schema, address resolver, bool revocable) returns (bytes32)',
  'event Registered(bytes32 indexed uid, address indexed registerer, (bytes32 uid, address resolver, bool revocable, string schema) schema)',
])
const easAbi = parseAbi([
  'constructor(address registry)',
  'function attest((bytes32 schema, (address recipient, uint64 expirationTime, bool revocable, bytes32 refUID, bytes data, uint256 value) data) request) payable returns (bytes32)',
  'function revoke((bytes32 schema, (bytes32 uid, uint256 value) data) request) payable',
  'event Attested(address indexed recipient, address indexed attester, bytes32 uid, bytes32 indexed schemaUID)',
])

/** The creation bytecode of a compiled EAS contract shipped in the npm package (no compiling). */
async function easBytecode(contract: 'EAS' | 'SchemaRegistry'): Promise<Hex> {
  const require = createRequire(import.meta.url)
  const path = require.resolve(`@ethereum-attestation-service/eas-contracts/artifacts/contracts/${contract}.sol/${contract}.json`)
  const artifact: unknown = JSON.parse(await readFile(path, 'utf8'))
  const bytecode = typeof artifact === 'object' && artifact !== null && 'bytecode' in artifact ? artifact.bytecode : undefined
  if (typeof bytecode !== 'string' || !isHex(bytecode) || bytecode.length < 4) throw new Error(`${contract}.json has no bytecode`)
  return bytecode
}

const random32 = (): Hex => toHex(crypto.getRandomValues(new Uint8Array(32)))

/**
 * Gas of the consent registry, from transaction receipts on a fresh local anvil, and of an
 * equivalent attestation with the Ethereum Attestation Service on the same chain in the same
 * run. The EAS schema is `bytes32 commitment` with the grant's end of validity as the
 * attestation's expirationTime and no recipient: the same facts the registry keeps (who
 * granted, which commitment, until when, revoked or not). Medians of several transactions
 * with random commitments (calldata cost varies by a few gas with the bytes).
 *
 * gas.grant, gas.grant_batch10_each (a batch of 10 divided by 10), gas.revoke,
 * gas.grant_by_sig and gas.revoke_by_sig (signed by a fresh per-grant key, submitted by a
 * sponsor), gas.eas_attest, gas.eas_revoke.
 */
export const gasSuite: BenchSuite = {
  name: 'gas',
  rows: ['gas.grant', 'gas.grant_batch10_each', 'gas.revoke', 'gas.grant_by_sig', 'gas.revoke_by_sig', 'gas.eas_attest', 'gas.eas_revoke'],
  async run() {
    const chain = await startAnvil()
    try {
      const deployment = await deployContracts(chain.client, chain.rpcUrl, ANVIL_DEPLOYER_KEY)
      const wallet = createWalletClient({
        account: mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: 1 }),
        chain: { ...foundry, rpcUrls: { default: { http: [chain.rpcUrl] } } },
        transport: http(chain.rpcUrl),
      })
      const mined = async (hash: Hex): Promise<TransactionReceipt> => {
        const receipt = await chain.client.waitForTransactionReceipt({ hash, pollingInterval: 20 })
        if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`)
        return receipt
      }
      const registry = { address: deployment.consentRegistry, abi: consentRegistryAbi } as const
      const validUntil = (await chain.client.getBlock()).timestamp + DAY

      const grant: number[] = []
      const revoke: number[] = []
      const batchEach: number[] = []
      for (let i = 0; i < RUNS; i++) {
        const commitment = random32()
        grant.push(Number((await mined(await wallet.writeContract({ ...registry, functionName: 'grant', args: [commitment, validUntil] }))).gasUsed))
        revoke.push(Number((await mined(await wallet.writeContract({ ...registry, functionName: 'revoke', args: [commitment] }))).gasUsed))
        const batch = Array.from({ length: 10 }, random32)
        const receipt = await mined(
          await wallet.writeContract({ ...registry, functionName: 'grantBatch', args: [batch, batch.map(() => validUntil)] }),
        )
        batchEach.push(Number(receipt.gasUsed) / 10)
      }

      const location = { chainId: deployment.chainId, registry: deployment.consentRegistry }
      const grantBySig: number[] = []
      const revokeBySig: number[] = []
      for (let i = 0; i < RUNS; i++) {
        const key = privateKeyToAccount(generatePrivateKey())
        const now = (await chain.client.getBlock()).timestamp
        const message = { commitment: random32(), validUntil: validUntil + BigInt(i), deadline: now + 600n + BigInt(i) }
        const grant = compactGrantSignature(await key.signTypedData(grantTypedData(location, message)))
        const granted = await wallet.writeContract({
          ...registry,
          functionName: 'grantBySig',
          args: [message.commitment, message.validUntil, message.deadline, grant.r, grant.vs],
        })
        grantBySig.push(Number((await mined(granted)).gasUsed))
        const revoke = compactGrantSignature(await key.signTypedData(revokeTypedData(location, message)))
        const revoked = await wallet.writeContract({ ...registry, functionName: 'revokeBySig', args: [message.commitment, message.deadline, revoke.r, revoke.vs] })
        revokeBySig.push(Number((await mined(revoked)).gasUsed))
      }

      const schemaRegistryAddress = (await mined(await wallet.deployContract({ abi: schemaRegistryAbi, bytecode: await easBytecode('SchemaRegistry') })))
        .contractAddress
      if (!schemaRegistryAddress) throw new Error('SchemaRegistry was not deployed')
      const easAddress = (await mined(await wallet.deployContract({ abi: easAbi, bytecode: await easBytecode('EAS'), args: [schemaRegistryAddress] })))
        .contractAddress
      if (!easAddress) throw new Error('EAS was not deployed')
      const registered = await mined(
        await wallet.writeContract({ address: schemaRegistryAddress, abi: schemaRegistryAbi, functionName: 'register', args: ['bytes32 commitment', zeroAddress, true] }),
      )
      const [schemaEvent] = parseEventLogs({ abi: schemaRegistryAbi, eventName: 'Registered', logs: registered.logs })
      if (!schemaEvent) throw new Error('the schema was not registered')
      const schema = schemaEvent.args.uid

      const easAttest: number[] = []
      const easRevoke: number[] = []
      for (let i = 0; i < RUNS; i++) {
        const data = encodeAbiParameters([{ type: 'bytes32' }], [random32()])
        const attested = await mined(
          await wallet.writeContract({
            address: easAddress,
            abi: easAbi,
            functionName: 'attest',
            args: [{ schema, data: { recipient: zeroAddress, expirationTime: validUntil, revocable: true, refUID: zeroHash, data, value: 0n } }],
          }),
        )
        const [event] = parseEventLogs({ abi: easAbi, eventName: 'Attested', logs: attested.logs })
        if (!event) throw new Error('EAS did not attest')
        easAttest.push(Number(attested.gasUsed))
        const revoked = await mined(
          await wallet.writeContract({ address: easAddress, abi: easAbi, functionName: 'revoke', args: [{ schema, data: { uid: event.args.uid, value: 0n } }] }),
        )
        easRevoke.push(Number(revoked.gasUsed))
      }

      return [
        { name: 'gas.grant', value: median(grant), unit: 'gas' },
        { name: 'gas.grant_batch10_each', value: median(batchEach), unit: 'gas' },
        { name: 'gas.revoke', value: median(revoke), unit: 'gas' },
        { name: 'gas.grant_by_sig', value: median(grantBySig), unit: 'gas' },
        { name: 'gas.revoke_by_sig', value: median(revokeBySig), unit: 'gas' },
        { name: 'gas.eas_attest', value: median(easAttest), unit: 'gas' },
        { name: 'gas.eas_revoke', value: median(easRevoke), unit: 'gas' },
      ]
    } finally {
      await chain.stop()
    }
  },
}
