import { createConfig, createStorage, http, injected, type Config } from 'wagmi'
import { defineChain, type Chain } from 'viem'
import { localWallet, type LocalAccountSource } from './localWalletConnector.ts'

/** The chain CareKey talks to, as its configuration describes it. */
export type ChainSettings = {
  id: number
  name: string
  rpcUrl: string
  /** A block explorer base URL for links to transactions, when the chain has one. */
  explorerUrl: string | undefined
  /** The local development chain: blocks come at once, so receipts are polled quickly. */
  isLocalDevChain: boolean
}

/** The chain CareKey is configured for, as a viem chain. */
export function careKeyChain(chain: ChainSettings): Chain {
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
export function createCareKeyWagmiConfig(chain: ChainSettings, accounts: LocalAccountSource): Config {
  return createConfig({
    ...chainTransport(chain),
    connectors: [localWallet(accounts), injected()],
    multiInjectedProviderDiscovery: true,
    storage: createStorage({
      key: CONNECTION_STORAGE_KEY,
      storage: typeof window === 'undefined' ? undefined : connectionChoiceStorage(window.localStorage),
    }),
  })
}

const CONNECTION_STORAGE_KEY = 'carekey.wallet-connection'
/** wagmi's own state: the connections with their accounts' addresses. */
const CONNECTION_STATE_ITEM = `${CONNECTION_STORAGE_KEY}.store`

/**
 * What wagmi may keep in localStorage, unencrypted and readable while the wallet is locked: which
 * connector the patient chose and a browser wallet's "disconnected" mark, never its state, which
 * names the connected addresses (wagmi reconnects without it). The state older versions kept is
 * deleted.
 */
function connectionChoiceStorage(storage: Storage): Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> {
  storage.removeItem(CONNECTION_STATE_ITEM)
  return {
    getItem: (key: string) => (key === CONNECTION_STATE_ITEM ? null : storage.getItem(key)),
    setItem: (key: string, value: string) => {
      if (key !== CONNECTION_STATE_ITEM) storage.setItem(key, value)
    },
    removeItem: (key: string) => storage.removeItem(key),
  }
}

/**
 * wagmi for the clinician's viewer: chain reads, and the clinician's own browser wallet (if
 * they have one) to sign a proof of their address. No CareKey wallet and no storage: nothing
 * the clinician does there is kept on their device.
 */
export function createViewerWagmiConfig(chain: ChainSettings): Config {
  return createConfig({
    ...chainTransport(chain),
    connectors: [injected()],
    multiInjectedProviderDiscovery: true,
    storage: null,
  })
}

function chainTransport(chain: ChainSettings) {
  const viemChain = careKeyChain(chain)
  return {
    chains: [viemChain] as const,
    transports: { [viemChain.id]: http(chain.rpcUrl, { timeout: RPC_TIMEOUT_MS, retryCount: 1 }) },
    pollingInterval: chain.isLocalDevChain ? 250 : 4_000,
  }
}
