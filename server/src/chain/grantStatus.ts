import { createPublicClient, http, type Address, type Hex, type PublicClient } from 'viem'
import { consentRegistryAbi } from '../../../contracts/generated/ConsentRegistry.ts'
import { grantStatusFromChain, type GrantStatus } from '../../../src/domain/consent/grantStatus.ts'

/** A grant's period as its patient stated it (unix seconds). */
export type GrantPeriod = { validFrom: number; validUntil: number }

/** Reads grant status on chain. The share host serves a manifest only for `active`. */
export interface GrantStatusReader {
  /**
   * With the period, `statusOfGrant`: `pending` before its start, `unknown` when the recorded
   * end differs from the stated one. Without it, `statusOfCommitment` (never `pending`).
   */
  statusOf(patient: Address, commitment: Hex, period?: GrantPeriod): Promise<GrantStatus>
}

/** The chain could not be asked; the host answers 503 rather than guess. */
export class ChainUnavailableError extends Error {
  constructor(options?: ErrorOptions) {
    super('The chain did not answer', options)
    this.name = 'ChainUnavailableError'
  }
}

const MAX_CACHED_GRANTS = 10_000

export type RegistryReaderOptions = {
  rpcUrl: string
  registry: Address
  /** How long a block number is reused before asking again; 0 asks for every request batch. */
  blockTtlMs: number
  clock?: () => number
  /** For tests: a client to use instead of one made from `rpcUrl`. */
  client?: PublicClient
}

/**
 * Reads `statusOfCommitment(patient, commitment)` from the ConsentRegistry, at most once per
 * grant per block: a revocation or an expiry takes effect with the block that contains it.
 * Concurrent requests share one `eth_blockNumber` call and one read per grant and block.
 */
export function registryGrantStatusReader(options: RegistryReaderOptions): GrantStatusReader {
  const client =
    options.client ?? createPublicClient({ transport: http(options.rpcUrl, { retryCount: 1, timeout: 10_000 }) })
  const clock = options.clock ?? Date.now
  let block: { number: bigint; readAt: number } | undefined
  let blockInFlight: Promise<bigint> | undefined
  const cache = new Map<string, { block: bigint; status: Promise<GrantStatus> }>()

  function currentBlock(): Promise<bigint> {
    if (block && options.blockTtlMs > 0 && clock() - block.readAt < options.blockTtlMs) return Promise.resolve(block.number)
    blockInFlight ??= client
      .getBlockNumber({ cacheTime: 0 })
      .then((number) => {
        block = { number, readAt: clock() }
        return number
      })
      .finally(() => {
        blockInFlight = undefined
      })
    return blockInFlight
  }

  async function read(patient: Address, commitment: Hex, period: GrantPeriod | undefined, blockNumber: bigint): Promise<GrantStatus> {
    const common = { address: options.registry, abi: consentRegistryAbi, blockNumber } as const
    const status = period
      ? await client.readContract({
          ...common,
          functionName: 'statusOfGrant',
          args: [patient, commitment, BigInt(period.validFrom), BigInt(period.validUntil)],
        })
      : (await client.readContract({ ...common, functionName: 'statusOfCommitment', args: [patient, commitment] }))[0]
    const parsed = grantStatusFromChain(status)
    if (parsed === undefined) throw new ChainUnavailableError({ cause: new Error(`unexpected status ${status}`) })
    return parsed
  }

  return {
    async statusOf(patient, commitment, period) {
      let blockNumber: bigint
      try {
        blockNumber = await currentBlock()
      } catch (cause) {
        throw new ChainUnavailableError({ cause })
      }
      const key = `${patient.toLowerCase()}:${commitment.toLowerCase()}:${period ? `${period.validFrom}-${period.validUntil}` : ''}`
      const hit = cache.get(key)
      if (hit && hit.block === blockNumber) return hit.status
      if (cache.size >= MAX_CACHED_GRANTS) {
        for (const [k, v] of cache) if (v.block !== blockNumber) cache.delete(k)
        if (cache.size >= MAX_CACHED_GRANTS) cache.clear()
      }
      const entry: { block: bigint; status: Promise<GrantStatus> } = {
        block: blockNumber,
        status: read(patient, commitment, period, blockNumber).catch((cause: unknown) => {
          // A failed read must not be served from the cache to later requests.
          if (cache.get(key) === entry) cache.delete(key)
          throw cause instanceof ChainUnavailableError ? cause : new ChainUnavailableError({ cause })
        }),
      }
      cache.set(key, entry)
      return entry.status
    },
  }
}
