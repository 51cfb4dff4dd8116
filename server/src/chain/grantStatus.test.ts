import { describe, expect, it } from 'vitest'
import { createPublicClient, custom, encodeAbiParameters, keccak256, toHex, type Address } from 'viem'
import { ChainUnavailableError, registryGrantStatusReader } from './grantStatus.ts'

const registry: Address = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const patient: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const commitment = keccak256(toHex('grant'))

/** A chain that answers eth_blockNumber and eth_call from the test's variables, and counts calls. */
function fakeChain() {
  const chain = { block: 100n, status: 1, calls: { blockNumber: 0, call: 0 }, down: false }
  const rpc = {
    async request({ method }: { method: string }) {
      if (chain.down) throw new Error('connection refused')
      if (method === 'eth_blockNumber') {
        chain.calls.blockNumber++
        return toHex(chain.block)
      }
      if (method === 'eth_call') {
        chain.calls.call++
        return encodeAbiParameters([{ type: 'uint8' }, { type: 'uint64' }], [chain.status, 2_000_000_000n])
      }
      throw new Error(`unexpected ${method}`)
    },
  }
  const client = createPublicClient({ transport: custom(rpc, { retryCount: 0 }) })
  return { chain, client }
}

describe('grant status on chain', () => {
  it('reads a grant once per block, however many requests ask at the same time', async () => {
    const { chain, client } = fakeChain()
    const reader = registryGrantStatusReader({ rpcUrl: 'http://unused', registry, blockTtlMs: 0, client })
    const statuses = await Promise.all(Array.from({ length: 50 }, () => reader.statusOf(patient, commitment)))
    expect(new Set(statuses)).toEqual(new Set(['active']))
    expect(chain.calls).toEqual({ blockNumber: 1, call: 1 })

    await reader.statusOf(patient, commitment)
    expect(chain.calls).toEqual({ blockNumber: 2, call: 1 })
  })

  it('sees a revocation in the next block', async () => {
    const { chain, client } = fakeChain()
    const reader = registryGrantStatusReader({ rpcUrl: 'http://unused', registry, blockTtlMs: 0, client })
    expect(await reader.statusOf(patient, commitment)).toBe('active')
    chain.status = 2
    expect(await reader.statusOf(patient, commitment)).toBe('active')
    chain.block = 101n
    expect(await reader.statusOf(patient, commitment)).toBe('revoked')
  })

  it('reuses the block number for the configured time only', async () => {
    const { chain, client } = fakeChain()
    let now = 0
    const reader = registryGrantStatusReader({ rpcUrl: 'http://unused', registry, blockTtlMs: 1000, client, clock: () => now })
    await reader.statusOf(patient, commitment)
    now = 999
    await reader.statusOf(patient, commitment)
    expect(chain.calls.blockNumber).toBe(1)
    now = 1000
    await reader.statusOf(patient, commitment)
    expect(chain.calls.blockNumber).toBe(2)
  })

  it('reports a chain that does not answer, and does not remember the failure', async () => {
    const { chain, client } = fakeChain()
    const reader = registryGrantStatusReader({ rpcUrl: 'http://unused', registry, blockTtlMs: 0, client })
    chain.down = true
    await expect(reader.statusOf(patient, commitment)).rejects.toBeInstanceOf(ChainUnavailableError)
    chain.down = false
    expect(await reader.statusOf(patient, commitment)).toBe('active')
  })
})
