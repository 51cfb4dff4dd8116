import { createConfig, createStorage, http, injected, type Config } from 'wagmi'
import { defineChain, type Chain } from 'viem'
import type { AppConfig } from '../app/config.ts'
import { localWallet, type LocalAccountSource } from './localWalletConnector.ts'

/** The chain CareKey is configured for, as a viem chain. */
export function careKeyChain(chain: AppConfig['chain']): Chain {
  return defineChain({
    id: chain.id,
    name: chain.name,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [chain.rpcUrl] } },
    ...(chain.explorerUrl ? { blockExplorers: { default: { name: 'Explorer', url: chain.explorerUrl } } } : {}),
    testnet: chain.isLocalDevChain,
  })
}

/** How long a chain read may take before the app says the network cannot be reached. */
export const RPC_TIMEOUT_MS = 8_000

/**
 * wagmi configuration: the patient's local wallet first, then any injected or EIP-6963
 * browser wallet. On the local chain blocks come at once, so receipts are polled quickly.
 */
export function createCareKeyWagmiConfig(chain: AppConfig['chain'], accounts: LocalAccountSource): Config {
  const viemChain = careKeyChain(chain)
  return createConfig({
    chains: [viemChain],
    connectors: [localWallet(accounts), injected()],
    transports: { [viemChain.id]: http(chain.rpcUrl, { timeout: RPC_TIMEOUT_MS, retryCount: 1 }) },
    pollingInterval: chain.isLocalDevChain ? 250 : 4_000,
    multiInjectedProviderDiscovery: true,
    storage: createStorage({
      key: 'carekey.wallet-connection',
      storage: typeof window === 'undefined' ? undefined : window.localStorage,
    }),
  })
}
