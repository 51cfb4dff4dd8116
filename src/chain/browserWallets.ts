import { useConnectors, type Connector } from 'wagmi'
import { LOCAL_WALLET_CONNECTOR_ID } from './localWalletConnector.ts'

/**
 * The browser wallets a person can actually use here: every wallet announced through EIP-6963,
 * else the generic injected one when a `window.ethereum` exists. Never the CareKey wallet itself,
 * and never an "Injected" button that would fail because there is nothing injected.
 *
 * @example
 * const wallets = useBrowserWallets()
 * wallets.map((w) => <Button onClick={() => connect.mutate({ connector: w })}>Use {w.name}</Button>)
 */
export function useBrowserWallets(): readonly Connector[] {
  return browserWallets(useConnectors(), typeof window !== 'undefined' && 'ethereum' in window && window.ethereum !== undefined)
}

/** The rule behind useBrowserWallets, for any list of connectors. */
export function browserWallets(connectors: readonly Connector[], hasInjectedProvider: boolean): readonly Connector[] {
  const others = connectors.filter((c) => c.id !== LOCAL_WALLET_CONNECTOR_ID)
  const announced = others.filter((c) => c.id !== 'injected')
  if (announced.length > 0) return announced
  return hasInjectedProvider ? others : []
}
