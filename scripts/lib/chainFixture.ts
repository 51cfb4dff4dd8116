import { afterAll, beforeAll } from 'vitest'
import { createWalletClient, http, type Account, type PublicClient, type WalletClient, type Chain, type Transport } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { ANVIL_DEPLOYER_KEY, startAnvil, type LocalChain } from './anvil.ts'
import { withOwnClock, type OwnClock } from './chainClock.ts'
import { deployContracts, type Deployment } from './deploy.ts'

/** anvil's default accounts come from this public test phrase. */
export const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk'

export type ChainFixture = {
  chain: LocalChain
  deployment: Deployment
  publicClient: PublicClient
  /** Wallet clients for anvil's funded accounts 0..9 (0 deployed the contracts). */
  wallets: WalletClient<Transport, Chain, Account>[]
  /** This file's chain's clock and mining (the file's tests run one after another, on its own chain). */
  clock: OwnClock
  /** The timestamp of the latest block. */
  now(): Promise<bigint>
}

/**
 * Starts a fresh anvil on a free port with CareKey's contracts deployed, for the tests in the
 * calling file, and stops it afterwards. Read the fields inside tests (after beforeAll).
 *
 * @example
 * const local = startLocalChainForTests()
 * it('...', async () => { await local.wallets[1].writeContract(...) })
 * it('expires', async () => { await local.clock.advance(3_600) })
 */
export function startLocalChainForTests(): ChainFixture {
  const fixture = {} as ChainFixture
  beforeAll(async () => {
    const chain = await startAnvil()
    const deployment = await deployContracts(chain.client, chain.rpcUrl, ANVIL_DEPLOYER_KEY)
    const viemChain = { ...foundry, rpcUrls: { default: { http: [chain.rpcUrl] } } }
    Object.assign(fixture, {
      chain,
      deployment,
      publicClient: chain.client,
      wallets: Array.from({ length: 10 }, (_, i) =>
        createWalletClient({
          account: mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: i }),
          chain: viemChain,
          transport: http(chain.rpcUrl),
        }),
      ),
      clock: withOwnClock(chain),
      async now() {
        return (await chain.client.getBlock()).timestamp
      },
    } satisfies ChainFixture)
  })
  afterAll(async () => {
    await fixture.chain?.stop()
  })
  return fixture
}
