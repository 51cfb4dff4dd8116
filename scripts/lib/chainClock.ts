import { createTestClient, http, type TestClient } from 'viem'
import { foundry } from 'viem/chains'
import type { LocalChain } from './anvil.ts'

/**
 * Control over a chain's clock and mining. Every block after a move carries the new time, for
 * everyone on that chain: a test that moves the clock of a chain other tests use at the same
 * time expires their grants and signatures under them.
 */
export type OwnClock = {
  /** The latest block's timestamp, in unix seconds. */
  now: () => Promise<bigint>
  /** Moves the clock forward and mines a block at the new time (evm_increaseTime + evm_mine); resolves to that time. */
  advance: (seconds: number) => Promise<bigint>
  /** Mines a block at exactly this time (evm_setNextBlockTimestamp + evm_mine). */
  mineAt: (timestamp: bigint) => Promise<void>
  /** The next block, mined by the next transaction, gets this time (evm_setNextBlockTimestamp). */
  nextBlockAt: (timestamp: bigint) => Promise<void>
  /** Mines one block now. */
  mineBlock: () => Promise<void>
  /** Mines each transaction at once (the default) or only on `mineBlock()`. */
  automine: (on: boolean) => Promise<void>
  /** Drops every pending transaction from the mempool (anvil_dropAllTransactions). */
  dropPendingTransactions: () => Promise<void>
}

/**
 * The only way CareKey's tests move a chain's clock or its mining, and only on a chain the
 * caller started for itself (`startAnvil`, `startLocalChainForTests`, `startBackend`, or
 * e2e/support/ownChain.ts in the end-to-end tests), whose tests run one after another. A guard
 * test (chainClock.test.ts) refuses evm_* and anvil_* calls, and viem's clock actions, anywhere
 * else.
 *
 * @example
 * const local = startLocalChainForTests()
 * it('expires', async () => { await withOwnClock(local.chain).advance(3_600) })
 */
export function withOwnClock(chain: LocalChain): OwnClock {
  if (chain.rpcUrl === process.env.CAREKEY_E2E_RPC_URL) {
    throw new Error(
      'This is the chain every end-to-end test shares: moving its clock moves it under the other workers. Start a chain of your own (e2e/support/ownChain.ts).',
    )
  }
  const client: TestClient<'anvil'> = createTestClient({
    chain: { ...foundry, id: chain.chainId, rpcUrls: { default: { http: [chain.rpcUrl] } } },
    mode: 'anvil',
    transport: http(chain.rpcUrl, { retryCount: 0 }),
  })
  const now = async () => (await chain.client.getBlock({ blockTag: 'latest' })).timestamp
  return {
    now,
    advance: async (seconds) => {
      await client.increaseTime({ seconds })
      await client.mine({ blocks: 1 })
      return now()
    },
    mineAt: async (timestamp) => {
      await client.setNextBlockTimestamp({ timestamp })
      await client.mine({ blocks: 1 })
    },
    nextBlockAt: (timestamp) => client.setNextBlockTimestamp({ timestamp }),
    mineBlock: () => client.mine({ blocks: 1 }),
    automine: (on) => client.setAutomine(on),
    dropPendingTransactions: () => client.request({ method: 'anvil_dropAllTransactions' as never, params: [] as never }),
  }
}
