import { createWalletClient, http, toHex, type Hex, type TransactionReceipt } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { credentialRegistryAbi } from '../contracts/generated/CredentialRegistry.ts'
import { prescriptionRegistryAbi } from '../contracts/generated/PrescriptionRegistry.ts'
import { ROLE_BITS } from '../src/domain/credentials/roles.ts'
import { ANVIL_DEPLOYER_KEY, startAnvil } from '../scripts/lib/anvil.ts'
import { ANVIL_MNEMONIC } from '../scripts/lib/chainFixture.ts'
import { deployContracts } from '../scripts/lib/deploy.ts'
import { median, type BenchSuite } from './lib/context.ts'

const RUNS = 5
const DAY = 86_400
const random32 = (): Hex => toHex(crypto.getRandomValues(new Uint8Array(32)))

/**
 * Gas of the credential and prescription registries, from transaction receipts on a fresh
 * local anvil (medians of several transactions with random hashes):
 *
 * gas.credential_issue: the licensing body registers a new professional (one new slot);
 * gas.prescribe: a verified prescriber records a prescription (a credential read, one new slot);
 * gas.dispense: a verified pharmacy dispenses part of one (a credential read, a slot update, an event).
 */
export const prescriptionGasSuite: BenchSuite = {
  name: 'gas',
  rows: ['gas.credential_issue', 'gas.prescribe', 'gas.dispense'],
  async run() {
    const chain = await startAnvil()
    try {
      const deployment = await deployContracts(chain.client, chain.rpcUrl, ANVIL_DEPLOYER_KEY)
      const viemChain = { ...foundry, rpcUrls: { default: { http: [chain.rpcUrl] } } }
      const wallet = (addressIndex: number) =>
        createWalletClient({ account: mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex }), chain: viemChain, transport: http(chain.rpcUrl) })
      // anvil's account 8 is the local licensing body; 1 prescribes, 3 dispenses.
      const issuer = wallet(8)
      const prescriber = wallet(1)
      const pharmacy = wallet(3)
      const mined = async (hash: Hex): Promise<TransactionReceipt> => {
        const receipt = await chain.client.waitForTransactionReceipt({ hash, pollingInterval: 20 })
        if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`)
        return receipt
      }
      const credentials = { address: deployment.credentialRegistry, abi: credentialRegistryAbi } as const
      const prescriptions = { address: deployment.prescriptionRegistry, abi: prescriptionRegistryAbi } as const
      const now = Number((await chain.client.getBlock()).timestamp)
      const issue = (professional: `0x${string}`, roles: number) =>
        issuer.writeContract({ ...credentials, functionName: 'issue', args: [professional, roles, now, now + 365 * DAY, random32()] })

      const credentialIssue: number[] = []
      for (let i = 0; i < RUNS; i++) {
        const professional = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: 100 + i }).address
        credentialIssue.push(Number((await mined(await issue(professional, ROLE_BITS.prescriber | ROLE_BITS.clinician))).gasUsed))
      }
      await mined(await issue(prescriber.account.address, ROLE_BITS.prescriber))
      await mined(await issue(pharmacy.account.address, ROLE_BITS.pharmacy))

      const prescribe: number[] = []
      const dispense: number[] = []
      for (let i = 0; i < RUNS; i++) {
        const commitment = random32()
        prescribe.push(Number((await mined(await prescriber.writeContract({ ...prescriptions, functionName: 'prescribe', args: [commitment, 90, now + 90 * DAY] }))).gasUsed))
        dispense.push(Number((await mined(await pharmacy.writeContract({ ...prescriptions, functionName: 'dispense', args: [commitment, 30] }))).gasUsed))
      }
      return [
        { name: 'gas.credential_issue', value: median(credentialIssue), unit: 'gas' },
        { name: 'gas.prescribe', value: median(prescribe), unit: 'gas' },
        { name: 'gas.dispense', value: median(dispense), unit: 'gas' },
      ]
    } finally {
      await chain.stop()
    }
  },
}
