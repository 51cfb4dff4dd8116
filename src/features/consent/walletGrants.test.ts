import { keccak256, stringToHex, type Address, type Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import { UnexpectedChainReplyError } from '../../chain/consentRegistryErrors.ts'
import { deriveWalletKeys } from '../../domain/wallet/keys.ts'
import { parseRecoveryPhrase } from '../../domain/wallet/mnemonic.ts'
import { fakeRegistryChain } from '../../test/fakeRegistryChain.ts'
import { findWalletGrants } from './walletGrants.ts'

/**
 * Restoring from the phrase alone: the grants of the wallet's per-grant keys (found with a gap
 * limit) and of its accounts (made before grants had keys), merged, each with the key that
 * made it, read from a chain that answers as a node does.
 */
const registry = { chainId: 31337, address: '0x5FbDB2315678afecb367f032d93F642f64180aa3', fromBlock: 5n } as const
const SPONSOR: Address = '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720'
const STRANGER: Address = '0x90F79bf6EB2c4f870365E785982E1f101E93b906'
const BROWSER_WALLET: Address = '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65'
const fingerprint = (n: number): Hex => keccak256(stringToHex(`grant ${n}`))

const keys = await deriveWalletKeys(parseRecoveryPhrase('test test test test test test test test test test test junk'))
const at = (i: number) => keys.grantAccount(i).address
const sources = (accounts: Address[] = [keys.account.address]) => ({ grantAddressAt: at, accounts })

describe('findWalletGrants', () => {
  it('finds the per-grant keys’ grants and the main account’s, oldest first, each with its key (none for the account)', async () => {
    const chain = fakeRegistryChain(registry, 100n)
    chain.grant({ patient: keys.account.address, commitment: fingerprint(1), block: 10n })
    chain.grant({ patient: at(0), commitment: fingerprint(2), block: 20n, sender: SPONSOR })
    chain.grant({ patient: at(3), commitment: fingerprint(3), block: 30n, sender: SPONSOR, validUntil: 1_900_000_000n })
    chain.revoke({ patient: at(0), commitment: fingerprint(2), block: 40n, sender: SPONSOR })
    chain.grant({ patient: STRANGER, commitment: fingerprint(4), block: 50n })

    const found = await findWalletGrants(chain.client, registry, sources())

    expect(found.grants.map((g) => [g.patient, g.commitment, g.keyIndex])).toEqual([
      [keys.account.address, fingerprint(1), undefined],
      [at(0), fingerprint(2), 0],
      [at(3), fingerprint(3), 3],
    ])
    expect(found.grants[1]?.revoked?.blockNumber).toBe(40n)
    expect(found.grants[2]).toMatchObject({ validUntil: 1_900_000_000n, revoked: undefined, granted: { blockNumber: 30n } })
    expect(found.nextIndex).toBe(4)
    expect(found.toBlock).toBe(100n)
  })

  it('keeps looking past a used key until the gap limit, and no further', async () => {
    const chain = fakeRegistryChain(registry, 100n)
    chain.grant({ patient: at(1), commitment: fingerprint(1), block: 10n, sender: SPONSOR })
    chain.grant({ patient: at(3), commitment: fingerprint(2), block: 11n, sender: SPONSOR })
    chain.grant({ patient: at(6), commitment: fingerprint(3), block: 12n, sender: SPONSOR })

    const found = await findWalletGrants(chain.client, registry, sources(), { gapLimit: 2 })
    expect(found.grants.map((g) => g.keyIndex)).toEqual([1, 3])
    expect(found.nextIndex).toBe(4)

    // With the default gap limit (20), key 6 is found and new grants start after it.
    expect((await findWalletGrants(chain.client, registry, sources())).nextIndex).toBe(7)
  })

  it('reads every source up to one block, so a grant landing meanwhile is in neither', async () => {
    const chain = fakeRegistryChain(registry, 101n)
    chain.grant({ patient: at(0), commitment: fingerprint(1), block: 90n, sender: SPONSOR })
    chain.grant({ patient: at(1), commitment: fingerprint(2), block: 101n, sender: SPONSOR })
    chain.grant({ patient: keys.account.address, commitment: fingerprint(3), block: 101n })
    // Block 101 is mined just after the first time the head is asked for.
    const heads = [100n]
    const moving = { ...chain.client, getBlockNumber: async () => heads.shift() ?? 101n }

    const found = await findWalletGrants(moving, registry, sources())
    expect(found.grants.map((g) => g.commitment)).toEqual([fingerprint(1)])
    expect(found).toMatchObject({ nextIndex: 1, toBlock: 100n })
  })

  it('includes a connected browser wallet’s direct grants, and lists an account given twice once', async () => {
    const chain = fakeRegistryChain(registry, 100n)
    chain.grant({ patient: BROWSER_WALLET, commitment: fingerprint(1), block: 10n })
    chain.grant({ patient: keys.account.address, commitment: fingerprint(2), block: 11n })

    const found = await findWalletGrants(chain.client, registry, sources([keys.account.address, BROWSER_WALLET, keys.account.address]))
    expect(found.grants.map((g) => [g.patient, g.keyIndex])).toEqual([
      [BROWSER_WALLET, undefined],
      [keys.account.address, undefined],
    ])
    expect(found.nextIndex).toBe(0)
  })

  it('finds nothing for a new wallet: the first key is 0', async () => {
    const chain = fakeRegistryChain(registry, 100n)
    chain.grant({ patient: STRANGER, commitment: fingerprint(1), block: 10n })
    expect(await findWalletGrants(chain.client, registry, sources())).toEqual({ grants: [], nextIndex: 0, toBlock: 100n })
  })

  it('refuses a node that answers with the events of an address it was not asked about', async () => {
    const chain = fakeRegistryChain(registry, 100n)
    chain.grant({ patient: STRANGER, commitment: fingerprint(1), block: 10n })
    const lying = {
      ...chain.client,
      getContractEvents: (query: Parameters<typeof chain.client.getContractEvents>[0]) =>
        chain.client.getContractEvents({ ...query, args: {} }),
    } as typeof chain.client
    await expect(findWalletGrants(lying, registry, sources())).rejects.toBeInstanceOf(UnexpectedChainReplyError)
  })
})
