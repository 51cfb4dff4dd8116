// @vitest-environment jsdom
import { mnemonicToAccount } from 'viem/accounts'
import { afterEach, describe, expect, it } from 'vitest'
import { connect, disconnect } from 'wagmi/actions'
import { createCareKeyWagmiConfig, type ChainSettings } from './wagmiConfig.ts'
import { LOCAL_WALLET_CONNECTOR_ID } from './localWalletConnector.ts'

const account = mnemonicToAccount('test test test test test test test test test test test junk')
// Nothing listens here: connecting the local wallet asks no node.
const chain: ChainSettings = { id: 31337, name: 'Test', rpcUrl: 'http://127.0.0.1:9', explorerUrl: undefined, isLocalDevChain: true }

const everythingInLocalStorage = () =>
  Array.from({ length: localStorage.length }, (_, i) => localStorage.key(i) ?? '')
    .map((key) => `${key}=${localStorage.getItem(key)}`)
    .join('\n')

afterEach(() => localStorage.clear())

describe('the wallet connection kept in localStorage', () => {
  it('remembers the chosen connector but never the connected address, and deletes the state older versions kept', async () => {
    localStorage.setItem('carekey.wallet-connection.store', JSON.stringify({ state: { connections: [[1, { accounts: [account.address] }]] } }))
    const config = createCareKeyWagmiConfig(chain, { getAccount: () => account, subscribe: () => () => undefined })
    const connector = config.connectors.find((c) => c.id === LOCAL_WALLET_CONNECTOR_ID)
    if (!connector) throw new Error('no local wallet connector')

    const connected = await connect(config, { connector })
    expect(connected.accounts).toEqual([account.address])

    const stored = everythingInLocalStorage()
    expect(stored).toContain(LOCAL_WALLET_CONNECTOR_ID)
    expect(stored.toLowerCase()).not.toContain(account.address.slice(2).toLowerCase())
    await disconnect(config)
  })
})
