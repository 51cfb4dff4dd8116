import {
  createWalletClient,
  getAddress,
  hexToBigInt,
  hexToNumber,
  http,
  isAddress,
  isHex,
  numberToHex,
  ProviderRpcError,
  SwitchChainError,
  type Chain,
  type EIP1193Provider,
  type EIP1193RequestFn,
  type Hex,
  type LocalAccount,
  type TransactionSerializable,
  type TypedDataDefinition,
} from 'viem'
import { ChainNotConfiguredError, createConnector } from 'wagmi'

/** Where the connector finds the unlocked account: the wallet's in-memory keyring. */
export type LocalAccountSource = {
  getAccount: () => LocalAccount | undefined
  subscribe: (listener: () => void) => () => void
}

/** EIP-1193 error 4100: the wallet is locked, so it cannot sign. */
export class WalletLockedRpcError extends ProviderRpcError {
  constructor() {
    super(new Error('The CareKey wallet is locked.'), {
      code: 4100,
      shortMessage: 'The CareKey wallet is locked. Unlock it and try again.',
    })
    this.name = 'WalletLockedRpcError'
  }
}

export const LOCAL_WALLET_CONNECTOR_ID = 'carekeyLocalWallet'

/**
 * A wagmi connector for the patient's own key, held in memory while the wallet is unlocked.
 * Its EIP-1193 provider signs locally (transactions, personal_sign, EIP-712 typed data) and
 * forwards every other request to the chain's RPC, so the app uses the same wagmi hooks
 * with this wallet as with an injected one.
 *
 * @example
 * createConfig({ chains: [chain], connectors: [localWallet(keyring)], transports: { [chain.id]: http() } })
 */
export function localWallet(source: LocalAccountSource) {
  let unsubscribe: (() => void) | undefined
  let connected = false

  return createConnector<EIP1193Provider>((config) => {
    let currentChainId = config.chains[0].id
    const providers = new Map<number, EIP1193Provider>()

    const chainById = (id: number): Chain => {
      const chain = config.chains.find((c) => c.id === id)
      if (!chain) throw new SwitchChainError(new ChainNotConfiguredError())
      return chain
    }

    return {
      id: LOCAL_WALLET_CONNECTOR_ID,
      name: 'CareKey wallet',
      type: 'carekeyLocal',

      async setup() {
        unsubscribe?.()
        unsubscribe = source.subscribe(() => {
          const account = source.getAccount()
          if (!account) {
            if (connected) this.onDisconnect()
          } else if (connected) {
            this.onAccountsChanged([account.address])
          }
        })
      },

      async connect({ chainId } = {}) {
        const account = source.getAccount()
        if (!account) throw new WalletLockedRpcError()
        if (chainId !== undefined && chainId !== currentChainId) await this.switchChain?.({ chainId })
        connected = true
        // wagmi's generic return type depends on `withCapabilities`; this connector has no capabilities.
        return { accounts: [account.address] as never, chainId: currentChainId }
      },

      async disconnect() {
        connected = false
      },

      async getAccounts() {
        const account = source.getAccount()
        return account ? [account.address] : []
      },

      async getChainId() {
        return currentChainId
      },

      async isAuthorized() {
        return source.getAccount() !== undefined
      },

      async switchChain({ chainId }) {
        const chain = chainById(chainId)
        currentChainId = chainId
        config.emitter.emit('change', { chainId })
        return chain
      },

      onAccountsChanged(accounts) {
        if (accounts.length === 0) this.onDisconnect()
        else config.emitter.emit('change', { accounts: accounts.map((a) => getAddress(a)) })
      },

      onChainChanged(chainId) {
        config.emitter.emit('change', { chainId: Number(chainId) })
      },

      onDisconnect() {
        connected = false
        config.emitter.emit('disconnect')
      },

      async getProvider({ chainId } = {}) {
        const id = chainId ?? currentChainId
        let provider = providers.get(id)
        if (!provider) {
          provider = createLocalProvider({
            chain: chainById(id),
            source,
            getChainId: () => currentChainId,
            switchChain: async (next) => {
              await this.switchChain?.({ chainId: next })
            },
          })
          providers.set(id, provider)
        }
        return provider
      },
    }
  })
}

type LocalProviderOptions = {
  chain: Chain
  source: LocalAccountSource
  getChainId(): number
  switchChain(chainId: number): Promise<void>
}

/**
 * The EIP-1193 provider behind the local wallet connector. Exported for tests, which drive it
 * with raw JSON-RPC requests as a dapp would.
 */
export function createLocalProvider(options: LocalProviderOptions): EIP1193Provider {
  const { chain, source } = options
  const rpcUrl = chain.rpcUrls.default.http[0]
  if (!rpcUrl) throw new ChainNotConfiguredError()
  const transport = http(rpcUrl, { retryCount: 1 })({ chain })

  const unlockedAccount = (from?: unknown): LocalAccount => {
    const account = source.getAccount()
    if (!account) throw new WalletLockedRpcError()
    if (from !== undefined && (typeof from !== 'string' || !isAddress(from) || getAddress(from) !== account.address)) {
      throw new ProviderRpcError(new Error('Unknown account'), {
        code: 4100,
        shortMessage: 'This wallet cannot sign for that account.',
      })
    }
    return account
  }

  const request = (async ({ method, params }: { method: string; params?: unknown }) => {
    const args = Array.isArray(params) ? (params as unknown[]) : []
    switch (method) {
      case 'eth_accounts':
      case 'eth_requestAccounts': {
        const account = source.getAccount()
        return account ? [account.address] : []
      }
      case 'eth_chainId':
        return numberToHex(options.getChainId())
      case 'wallet_switchEthereumChain': {
        const { chainId } = (args[0] ?? {}) as { chainId?: unknown }
        if (typeof chainId !== 'string' || !isHex(chainId)) throw invalidParams('chainId must be a hex string')
        await options.switchChain(hexToNumber(chainId))
        return null
      }
      case 'personal_sign': {
        const [message, from] = args
        if (typeof message !== 'string' || !isHex(message)) throw invalidParams('message must be hex')
        return unlockedAccount(from).signMessage({ message: { raw: message } })
      }
      case 'eth_signTypedData_v4': {
        const [from, json] = args
        const account = unlockedAccount(from)
        const typed = (typeof json === 'string' ? JSON.parse(json) : json) as TypedDataDefinition
        // EIP-712 JSON carries EIP712Domain in `types`; viem derives it from `domain` itself.
        const { EIP712Domain: _domainType, ...types } = (typed.types ?? {}) as Record<string, unknown>
        return account.signTypedData({ ...typed, types } as TypedDataDefinition)
      }
      case 'eth_signTransaction': {
        const account = unlockedAccount(readFrom(args[0]))
        const request = toTransactionRequest(args[0])
        const { nonce, gas } = request
        if (nonce !== undefined && gas !== undefined && ('gasPrice' in request || request.maxFeePerGas !== undefined)) {
          // Complete: sign as given, without asking the chain for anything.
          return account.signTransaction({ ...request, nonce, gas, chainId: chain.id })
        }
        const wallet = createWalletClient({ account, chain, transport: http(rpcUrl) })
        const prepared = await wallet.prepareTransactionRequest({ ...request, account, chain })
        return account.signTransaction(prepared as TransactionSerializable)
      }
      case 'eth_sendTransaction': {
        const account = unlockedAccount(readFrom(args[0]))
        const wallet = createWalletClient({ account, chain, transport: http(rpcUrl) })
        return wallet.sendTransaction({ ...toTransactionRequest(args[0]), account, chain })
      }
      case 'eth_sign':
        throw new ProviderRpcError(new Error('eth_sign is unsafe'), {
          code: 4200,
          shortMessage: 'CareKey does not sign raw hashes (eth_sign). Use personal_sign or typed data.',
        })
      default:
        return transport.request({ method, params })
    }
  }) as EIP1193RequestFn

  // Events are not needed: the connector itself tells wagmi about lock, unlock and chain changes.
  return { request, on: () => undefined, removeListener: () => undefined }
}

function readFrom(tx: unknown): unknown {
  return typeof tx === 'object' && tx !== null && 'from' in tx ? tx.from : undefined
}

function invalidParams(message: string) {
  return new ProviderRpcError(new Error(message), { code: -32602, shortMessage: `Invalid parameters: ${message}` })
}

type RpcTransaction = Partial<Record<'to' | 'data' | 'input' | 'value' | 'gas' | 'nonce' | 'gasPrice' | 'maxFeePerGas' | 'maxPriorityFeePerGas', unknown>>

/** Converts an RPC-shaped transaction (hex quantities) into viem's request shape. */
function toTransactionRequest(raw: unknown) {
  if (typeof raw !== 'object' || raw === null) throw invalidParams('transaction must be an object')
  const tx = raw as RpcTransaction
  const hex = (name: keyof RpcTransaction): Hex | undefined => {
    const v = tx[name]
    if (v === undefined || v === null) return undefined
    if (typeof v !== 'string' || !isHex(v)) throw invalidParams(`${name} must be hex`)
    return v
  }
  const quantity = (name: keyof RpcTransaction) => {
    const v = hex(name)
    return v === undefined ? undefined : hexToBigInt(v)
  }
  const to = tx.to
  if (to !== undefined && to !== null && (typeof to !== 'string' || !isAddress(to))) throw invalidParams('to must be an address')
  const nonce = hex('nonce')
  const base = {
    to: to ?? undefined,
    data: hex('data') ?? hex('input'),
    value: quantity('value'),
    gas: quantity('gas'),
    nonce: nonce === undefined ? undefined : hexToNumber(nonce),
  }
  const gasPrice = quantity('gasPrice')
  if (gasPrice !== undefined) return { ...base, gasPrice }
  return { ...base, maxFeePerGas: quantity('maxFeePerGas'), maxPriorityFeePerGas: quantity('maxPriorityFeePerGas') }
}
