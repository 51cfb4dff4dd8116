import { describe, expect, it } from 'vitest'
import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  custom,
  encodeAbiParameters,
  encodeErrorResult,
  encodeEventTopics,
  encodeFunctionResult,
  numberToHex,
  type Address,
  type Hex,
  type PublicClient,
} from 'viem'
import { foundry, mainnet } from 'viem/chains'
import { createGrantTerms } from '../domain/consent/terms.ts'
import { GrantValidityEndedError } from '../domain/consent/errors.ts'
import {
  commitmentIn,
  consentRegistryAbi,
  consentRegistryOf,
  grantBatchRequest,
  grantRequest,
  listPatientGrants,
  readCommitmentStatus,
  readGrantStatus,
  revokeRequest,
  type ConsentRegistryDeployment,
} from './consentRegistry.ts'
import {
  describeConsentRevert,
  GrantAlreadyRecordedError,
  GrantAlreadyRevokedError,
  InvalidConsentRequestError,
  NotYourGrantError,
  toConsentChainError,
  UnexpectedChainReplyError,
} from './consentRegistryErrors.ts'

const registry: ConsentRegistryDeployment = { chainId: 31337, address: '0x5FbDB2315678afecb367f032d93F642f64180aa3', fromBlock: 1n }
const patient: Address = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
const otherPatient: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const terms = createGrantTerms(
  {
    patient,
    grantee: { kind: 'address', address: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' },
    scope: { categories: ['allergies'], recordIds: [], actions: ['access'] },
    purpose: 'TREAT',
    validUntil: new Date('2026-11-21T10:00:00Z'),
  },
  { now: new Date('2026-11-20T10:00:00Z') },
)
const commitment = commitmentIn(registry, terms)

/** A chain that answers eth_call and eth_getLogs with whatever the test wants, to see what a lying node gets. */
function fakeChain(answers: { call?: Hex; logs?: ReturnType<typeof rpcLog>[] }): PublicClient {
  return createPublicClient({
    chain: foundry,
    transport: custom({
      async request({ method, params }: { method: string; params?: unknown }) {
        if (method === 'eth_chainId') return numberToHex(31337)
        if (method === 'eth_blockNumber') return numberToHex(20)
        if (method === 'eth_call') return answers.call ?? '0x'
        if (method === 'eth_getLogs') {
          // Like a node: only logs of the event asked for (topic 0), whatever else they hold.
          const [filter] = params as [{ topics: [Hex] }]
          return (answers.logs ?? []).filter((log) => log.topics[0] === filter.topics[0])
        }
        throw new Error(`unexpected ${method}`)
      },
    }),
  })
}

function rpcLog(event: { eventName: 'ConsentGranted'; patient: Address; validUntil: bigint } | { eventName: 'ConsentRevoked'; patient: Address }, blockNumber: number, address: Address = registry.address) {
  return {
    address,
    topics: encodeEventTopics({ abi: consentRegistryAbi, eventName: event.eventName, args: { patient: event.patient, commitment } }),
    data: event.eventName === 'ConsentGranted' ? encodeAbiParameters([{ type: 'uint64' }], [event.validUntil]) : '0x',
    blockNumber: numberToHex(blockNumber),
    blockHash: `0x${'ab'.repeat(32)}`,
    transactionHash: `0x${'cd'.repeat(32)}`,
    transactionIndex: '0x0',
    logIndex: '0x0',
    removed: false,
  }
}

describe('write requests for wagmi', () => {
  it('records the commitment and the end of validity, for the registry’s chain', () => {
    expect(grantRequest(registry, terms)).toEqual({
      address: registry.address,
      abi: consentRegistryAbi,
      functionName: 'grant',
      args: [commitment, terms.validUntil],
      chainId: 31337,
    })
    expect(revokeRequest(registry, commitment)).toMatchObject({ functionName: 'revoke', args: [commitment], chainId: 31337 })
    expect(grantBatchRequest(registry, [terms, terms]).args).toEqual([
      [commitment, commitment],
      [terms.validUntil, terms.validUntil],
    ])
  })

  it('takes the registry from the app configuration', () => {
    const config = {
      chain: { id: 84532, name: 'Base Sepolia', rpcUrl: 'https://sepolia.base.org', explorerUrl: undefined, isLocalDevChain: false },
      consentRegistry: registry.address,
      consentRegistryBlock: 123n,
    }
    expect(consentRegistryOf(config)).toEqual({ chainId: 84532, address: registry.address, fromBlock: 123n })
  })
})

describe('chain replies are checked', () => {
  it('refuses a status the contract never returns', async () => {
    const client = fakeChain({ call: encodeFunctionResult({ abi: consentRegistryAbi, functionName: 'statusOfGrant', result: 7 }) })
    await expect(readGrantStatus(client, registry, terms)).rejects.toBeInstanceOf(UnexpectedChainReplyError)
  })

  it('reads each status the contract does return', async () => {
    const statuses = ['unknown', 'active', 'revoked', 'expired', 'pending'] as const
    for (const [index, status] of statuses.entries()) {
      const client = fakeChain({ call: encodeFunctionResult({ abi: consentRegistryAbi, functionName: 'statusOfGrant', result: index }) })
      expect((await readGrantStatus(client, registry, terms)).status).toBe(status)
    }
  })

  it('refuses a commitment status that contradicts its end of validity, or claims pending', async () => {
    const reply = (status: number, validUntil: bigint) =>
      fakeChain({ call: encodeFunctionResult({ abi: consentRegistryAbi, functionName: 'statusOfCommitment', result: [status, validUntil] }) })
    await expect(readCommitmentStatus(reply(0, 5n), registry, patient, commitment)).rejects.toBeInstanceOf(UnexpectedChainReplyError)
    await expect(readCommitmentStatus(reply(1, 0n), registry, patient, commitment)).rejects.toBeInstanceOf(UnexpectedChainReplyError)
    await expect(readCommitmentStatus(reply(4, 5n), registry, patient, commitment)).rejects.toBeInstanceOf(UnexpectedChainReplyError)
    expect(await readCommitmentStatus(reply(0, 0n), registry, patient, commitment)).toEqual({ status: 'unknown', recordedUntil: undefined, blockNumber: undefined })
    expect((await readCommitmentStatus(reply(3, 5n), registry, patient, commitment)).recordedUntil).toBe(5n)
  })

  it('refuses event logs of another contract, from outside the blocks asked for, or a revocation without its grant', async () => {
    const granted = rpcLog({ eventName: 'ConsentGranted', patient, validUntil: terms.validUntil }, 5)
    const revoked = rpcLog({ eventName: 'ConsentRevoked', patient }, 6)
    const { grants } = await listPatientGrants(fakeChain({ logs: [granted, revoked] }), registry, patient, { toBlock: 20n })
    expect(grants).toMatchObject([{ commitment, validUntil: terms.validUntil, granted: { blockNumber: 5n }, revoked: { blockNumber: 6n } }])

    const lies = [
      [rpcLog({ eventName: 'ConsentGranted', patient, validUntil: 1n }, 5, '0x000000000000000000000000000000000000dEaD')],
      [rpcLog({ eventName: 'ConsentGranted', patient, validUntil: 1n }, 25)],
      [revoked],
      [granted, rpcLog({ eventName: 'ConsentGranted', patient, validUntil: 1n }, 7)],
    ]
    for (const logs of lies) {
      await expect(listPatientGrants(fakeChain({ logs }), registry, patient, { toBlock: 20n })).rejects.toBeInstanceOf(UnexpectedChainReplyError)
    }
    // Nothing before the registry existed.
    expect(await listPatientGrants(fakeChain({ logs: [granted] }), { ...registry, fromBlock: 30n }, patient, { toBlock: 20n })).toEqual({ grants: [], toBlock: 20n })
    // Another patient's events are never listed as this patient's.
    const foreign = rpcLog({ eventName: 'ConsentGranted', patient: otherPatient, validUntil: 1n }, 5)
    expect((await listPatientGrants(fakeChain({ logs: [foreign] }), registry, patient, { toBlock: 20n })).grants).toEqual([])
  })

  it('will not read another chain than the registry’s', async () => {
    const client = createPublicClient({ chain: mainnet, transport: custom({ request: async () => '0x' }) })
    await expect(readGrantStatus(client, registry, terms)).rejects.toThrow(/chain 1/)
  })
})

describe('contract errors in words', () => {
  it('maps each custom error of the registry to a CareKeyError', () => {
    expect(describeConsentRevert('GrantAlreadyRecorded', [commitment])).toBeInstanceOf(GrantAlreadyRecordedError)
    expect(describeConsentRevert('ValidityEnded', [1n])).toBeInstanceOf(GrantValidityEndedError)
    expect(describeConsentRevert('UnknownGrant', [commitment])).toBeInstanceOf(NotYourGrantError)
    expect(describeConsentRevert('GrantAlreadyRevoked', [commitment])).toBeInstanceOf(GrantAlreadyRevokedError)
    expect(describeConsentRevert('EmptyCommitment', [])).toBeInstanceOf(InvalidConsentRequestError)
    expect(describeConsentRevert('BatchMismatch', [])).toBeInstanceOf(InvalidConsentRequestError)
    expect(describeConsentRevert('SomethingElse', [])).toBeUndefined()
  })

  it('turns a decoded revert into its CareKeyError and leaves bugs alone', () => {
    const data = encodeErrorResult({ abi: consentRegistryAbi, errorName: 'UnknownGrant', args: [commitment] })
    const reverted = new ContractFunctionRevertedError({ abi: consentRegistryAbi, data, functionName: 'revoke' })
    expect(toConsentChainError(new BaseError('The contract reverted.', { cause: reverted }))).toBeInstanceOf(NotYourGrantError)
    const bug = new TypeError('x is undefined')
    expect(toConsentChainError(bug)).toBe(bug)
  })
})
