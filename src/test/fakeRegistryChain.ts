/**
 * Test support (never bundled): a chain that holds a ConsentRegistry's grants and answers the
 * few reads CareKey makes of it (the block number, the registry's events by patient and
 * commitment, a grant's status, a transaction), with logs encoded as the contract emits them,
 * so that the code under test decodes and checks them as it does a real node's replies.
 */
import { encodeAbiParameters, encodeEventTopics, isAddressEqual, keccak256, numberToHex, type Address, type Hex, type PublicClient } from 'viem'
import { consentRegistryAbi, type ConsentRegistryDeployment } from '../chain/consentRegistry.ts'

type Log = {
  address: Address
  eventName: 'ConsentGranted' | 'ConsentRevoked'
  patient: Address
  commitment: Hex
  data: Hex
  topics: [Hex, ...Hex[]]
  blockNumber: bigint
  logIndex: number
  transactionHash: Hex
}

/** A grant as a test writes it on the fake chain. */
export type FakeGrant = {
  patient: Address
  commitment: Hex
  validUntil?: bigint
  /** The block it is recorded in. */
  block: bigint
  /** Who sent its transaction; the patient when absent (a direct grant). */
  sender?: Address
}

/**
 * A fake chain at block `head` for `registry`. `client` is what the code under test is given;
 * `grant` and `revoke` write events; `transactions` can be changed to play a lying node.
 *
 * @example
 * const chain = fakeRegistryChain(registry, 100n)
 * chain.grant({ patient, commitment, block: 10n, sender: sponsor })
 * await findGrantRecord(chain.client, registry, patient, commitment)
 */
export function fakeRegistryChain(registry: ConsentRegistryDeployment, head: bigint) {
  const logs: Log[] = []
  const transactions = new Map<Hex, unknown>()
  let calls = 0

  const write = (eventName: Log['eventName'], patient: Address, commitment: Hex, block: bigint, data: Hex, sender: Address): Hex => {
    const transactionHash = keccak256(numberToHex(logs.length + 1, { size: 32 }))
    const topics = encodeEventTopics({ abi: consentRegistryAbi, eventName, args: { patient, commitment } }) as [Hex, ...Hex[]]
    logs.push({ address: registry.address, eventName, patient, commitment, data, topics, blockNumber: block, logIndex: logs.length, transactionHash })
    transactions.set(transactionHash, { hash: transactionHash, from: sender, to: registry.address, blockNumber: block })
    return transactionHash
  }

  const matches = (wanted: Address | readonly Address[] | undefined, patient: Address) =>
    wanted === undefined || (typeof wanted === 'string' ? [wanted] : wanted).some((a) => isAddressEqual(a, patient))

  const fake = {
    getBlockNumber: async () => {
      calls++
      return head
    },
    getContractEvents: async (query: {
      eventName: Log['eventName']
      args: { patient?: Address | readonly Address[]; commitment?: Hex }
      fromBlock: bigint
      toBlock?: bigint
    }) => {
      calls++
      return logs.filter(
        (log) =>
          log.eventName === query.eventName &&
          matches(query.args.patient, log.patient) &&
          (query.args.commitment === undefined || query.args.commitment.toLowerCase() === log.commitment.toLowerCase()) &&
          log.blockNumber >= query.fromBlock &&
          log.blockNumber <= (query.toBlock ?? head),
      )
    },
    readContract: async (call: { functionName: string; args: readonly unknown[] }) => {
      calls++
      if (call.functionName !== 'statusOfGrant') throw new Error(`The fake chain does not answer ${call.functionName}`)
      const [patient, commitment] = call.args as [Address, Hex]
      const of = (name: Log['eventName']) => logs.some((l) => l.eventName === name && isAddressEqual(l.patient, patient) && l.commitment === commitment)
      return of('ConsentRevoked') ? 2 : of('ConsentGranted') ? 1 : 0
    },
    getTransaction: async ({ hash }: { hash: Hex }) => {
      calls++
      const transaction = transactions.get(hash)
      if (transaction === undefined) throw new Error(`The fake chain has no transaction ${hash}`)
      return transaction
    },
  }

  return {
    // The fake answers only what the registry reads ask, which is all the code under test calls.
    client: fake as unknown as PublicClient,
    transactions,
    /** How many requests the chain answered. */
    calls: () => calls,
    grant({ patient, commitment, validUntil = 2_000_000_000n, block, sender }: FakeGrant): Hex {
      return write('ConsentGranted', patient, commitment, block, encodeAbiParameters([{ type: 'uint64' }], [validUntil]), sender ?? patient)
    },
    revoke({ patient, commitment, block, sender }: Omit<FakeGrant, 'validUntil'>): Hex {
      return write('ConsentRevoked', patient, commitment, block, '0x', sender ?? patient)
    },
  }
}
