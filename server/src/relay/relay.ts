import { createPublicClient, encodeFunctionData, http, type Address, type PublicClient } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { consentRegistryAbi } from '../../../contracts/generated/ConsentRegistry.ts'
import type { ParsedRelayGrantRequest, ParsedRelayRevokeRequest, RelayReceipt } from '../../../src/domain/consent/index.ts'
import type { ShareHostConfig } from '../config.ts'
import { KeyedQueue } from '../keyedQueue.ts'
import type { ShareStore } from '../storage/shareStore.ts'
import { DailyGasBudget } from './dailyGas.ts'
import { SponsorLease } from './sponsorLease.ts'
import { SponsorOutOfFundsError, SponsorSubmitter, TransactionNotConfirmedError } from './submitter.ts'
import { refusalForRevert, RelayRefusal, verifyGrantRequest, verifyRevokeRequest, type RelayCall, type RelayTarget } from './verify.ts'

/** Room above the simulated gas, for a state that changed a little by the time it is mined. */
const gasLimitFor = (estimate: bigint) => (estimate * 6n) / 5n + 5_000n

/**
 * The sponsor relay: takes grants and revokes signed by a per-grant key, checks them, and
 * records them with the sponsor's funds (`grantBySig`, `revokeBySig`). It refuses, without
 * spending gas, anything the registry would refuse. It keeps nothing: what it sees (the
 * per-grant address, the commitment, the end of validity, the deadline and the signature) is
 * what the chain shows once the transaction is mined.
 */
export class SponsorRelay {
  /** One call per (patient, commitment) at a time: a duplicate waits and is then refused, unpaid. */
  private readonly perGrant = new KeyedQueue()

  constructor(
    private readonly client: PublicClient,
    private readonly target: RelayTarget,
    private readonly submitter: SponsorSubmitter,
    private readonly budget: DailyGasBudget,
    /** Present when hosts share a database: the sponsor account is used by one host at a time. */
    private readonly lease?: SponsorLease,
  ) {}

  /** Checks and records a signed grant; resolves once it is mined. Throws a RelayRefusal. */
  async relayGrant(request: ParsedRelayGrantRequest): Promise<RelayReceipt> {
    return this.relay(await verifyGrantRequest(this.target, request))
  }

  /** Checks and records a signed revoke; resolves once it is mined. Throws a RelayRefusal. */
  async relayRevoke(request: ParsedRelayRevokeRequest): Promise<RelayReceipt> {
    return this.relay(await verifyRevokeRequest(this.target, request))
  }

  /** The sponsor's address (public: it sends every relayed transaction). */
  get sponsor(): Address {
    return this.submitter.address
  }

  private relay(call: RelayCall): Promise<RelayReceipt> {
    return this.perGrant.run(`${call.patient}:${call.commitment}`, async () => {
      if (this.lease && !(await this.lease.hold())) {
        throw new RelayRefusal(
          503,
          'sponsor-busy',
          'another share host is sending with this sponsor account; each host needs its own CAREKEY_SPONSOR_PRIVATE_KEY to relay at once',
          30,
        )
      }
      const gas = gasLimitFor(await this.simulate(call))
      const reservation = this.budget.reserve(gas)
      if (!reservation) {
        throw new RelayRefusal(429, 'daily-gas-limit', 'the sponsor has spent its gas for today', this.budget.secondsUntilReset())
      }
      let used = 0n
      try {
        const receipt = await this.submitter.submit({ to: this.target.registry, data: calldataOf(call), gas })
        used = receipt.gasUsed
        if (receipt.status !== 'success') {
          // Someone changed the state between the simulation and the block: say what it is now.
          const now = await this.simulate(call).then(
            () => undefined,
            (refusal: unknown) => (refusal instanceof RelayRefusal ? refusal : undefined),
          )
          throw now ?? new RelayRefusal(503, 'chain-unavailable', 'the transaction reverted; try again shortly', 5)
        }
        return { transactionHash: receipt.transactionHash, blockNumber: Number(receipt.blockNumber), patient: call.patient }
      } catch (error) {
        if (error instanceof RelayRefusal) throw error
        if (error instanceof SponsorOutOfFundsError) {
          throw new RelayRefusal(503, 'sponsor-out-of-funds', 'the sponsor account cannot pay for this transaction; the host’s operator must fund it', 3600)
        }
        if (error instanceof TransactionNotConfirmedError) {
          // It may still be mined: count its gas as spent.
          used = gas
          throw new RelayRefusal(504, 'not-confirmed', `sent as ${error.hashes.join(', ')} but not mined in time; check the chain before signing again`)
        }
        throw new RelayRefusal(503, 'chain-unavailable', 'the chain did not accept or answer the transaction; try again shortly', 5)
      } finally {
        this.budget.settle(reservation, gas, used)
      }
    })
  }

  /** The call on the latest state, from the sponsor: its gas, or the refusal the registry would give. */
  private async simulate(call: RelayCall): Promise<bigint> {
    try {
      const common = { address: this.target.registry, abi: consentRegistryAbi, account: this.submitter.address } as const
      return call.functionName === 'grantBySig'
        ? await this.client.estimateContractGas({ ...common, functionName: call.functionName, args: call.args })
        : await this.client.estimateContractGas({ ...common, functionName: call.functionName, args: call.args })
    } catch (error) {
      throw refusalForRevert(error) ?? new RelayRefusal(503, 'chain-unavailable', 'the chain did not answer; try again shortly', 5)
    }
  }
}

function calldataOf(call: RelayCall) {
  return call.functionName === 'grantBySig'
    ? encodeFunctionData({ abi: consentRegistryAbi, functionName: call.functionName, args: call.args })
    : encodeFunctionData({ abi: consentRegistryAbi, functionName: call.functionName, args: call.args })
}

/** The relay for this configuration, or undefined when no sponsor key is set. */
export function sponsorRelayFromConfig(config: ShareHostConfig, clock: () => number, store: Pick<ShareStore, 'leaseSponsor'>): SponsorRelay | undefined {
  const { relay } = config
  if (!relay.sponsorKey) return undefined
  const client = createPublicClient({
    transport: http(config.rpcUrl, { batch: true, retryCount: 1, timeout: 10_000 }),
    pollingInterval: relay.pollingIntervalMs,
  })
  const account = privateKeyToAccount(relay.sponsorKey)
  const submitter = new SponsorSubmitter({
    client,
    account,
    chainId: config.chainId,
    resendAfterMs: relay.resendAfterMs,
    confirmTimeoutMs: relay.confirmTimeoutMs,
    pollingIntervalMs: relay.pollingIntervalMs,
    clock,
  })
  return new SponsorRelay(
    client,
    { chainId: config.chainId, registry: config.consentRegistry, clock },
    submitter,
    new DailyGasBudget(relay.gasPerDay, clock),
    new SponsorLease(store, account.address, clock),
  )
}
