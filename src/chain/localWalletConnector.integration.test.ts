import { describe, expect, it } from 'vitest'
import { createConfig, http } from 'wagmi'
import { connect, getBalance, sendTransaction, signTypedData, waitForTransactionReceipt } from 'wagmi/actions'
import { defineChain, parseEther, verifyTypedData } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { startLocalChainForTests } from '../../scripts/lib/chainFixture.ts'
import { localWallet } from './localWalletConnector.ts'

const local = startLocalChainForTests()

describe('local wallet connector on a real chain', () => {
  it('sends a transaction through wagmi that the chain attributes to the wallet address', async () => {
    const account = mnemonicToAccount('test test test test test test test test test test test junk', { addressIndex: 5 })
    const chain = defineChain({
      id: 31337,
      name: 'anvil',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [local.chain.rpcUrl] } },
    })
    const config = createConfig({
      chains: [chain],
      connectors: [localWallet({ getAccount: () => account, subscribe: () => () => undefined })],
      transports: { [chain.id]: http(local.chain.rpcUrl) },
      pollingInterval: 50,
    })
    const [connector] = config.connectors
    if (!connector) throw new Error('no connector')
    const connected = await connect(config, { connector })
    expect(connected.accounts).toEqual([account.address])

    const recipient = '0x000000000000000000000000000000000000dEaD'
    const before = await getBalance(config, { address: recipient })
    const hash = await sendTransaction(config, { to: recipient, value: parseEther('0.5') })
    const receipt = await waitForTransactionReceipt(config, { hash })
    expect(receipt.status).toBe('success')
    expect(receipt.from).toBe(account.address.toLowerCase())
    expect((await getBalance(config, { address: recipient })).value - before.value).toBe(parseEther('0.5'))

    const domain = { name: 'CareKey', version: '1', chainId: 31337 } as const
    const types = { Ping: [{ name: 'n', type: 'uint256' }] } as const
    const signature = await signTypedData(config, { domain, types, primaryType: 'Ping', message: { n: 1n } })
    expect(await verifyTypedData({ address: account.address, domain, types, primaryType: 'Ping', message: { n: 1n }, signature })).toBe(true)
  })
})
