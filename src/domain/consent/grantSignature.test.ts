import { describe, expect, it } from 'vitest'
import { encodeAbiParameters, hashTypedData, keccak256, recoverTypedDataAddress, toHex, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import {
  compactGrantSignature,
  consentRegistryDomain,
  grantTypedData,
  InvalidGrantSignatureError,
  revokeTypedData,
  SECP256K1_HALF_ORDER,
  DEADLINE_JITTER_SECONDS,
  signatureDeadline,
} from './grantSignature.ts'

const location = { chainId: 84532, registry: '0x5FbDB2315678afecb367f032d93F642f64180aa3' } as const
const grantKey = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d')
const commitment: Hex = '0x1111111111111111111111111111111111111111111111111111111111111111'
const message = { commitment, validUntil: 1_800_000_000n, deadline: 1_790_000_000n }
const typeHash = (text: string) => keccak256(toHex(text))
const N = SECP256K1_HALF_ORDER * 2n + 1n

describe('signed grant typed data', () => {
  it('binds the domain to the chain and the registry', () => {
    expect(consentRegistryDomain(location)).toEqual({
      name: 'CareKey Consent Registry',
      version: '1',
      chainId: 84532,
      verifyingContract: location.registry,
    })
  })

  it('hashes a grant as the registry does: Grant(bytes32 commitment,uint64 validUntil,uint64 deadline) under the domain', () => {
    const domainSeparator = keccak256(
      encodeAbiParameters(
        [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'bytes32' }, { type: 'uint256' }, { type: 'address' }],
        [
          typeHash('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)'),
          typeHash('CareKey Consent Registry'),
          typeHash('1'),
          84532n,
          location.registry,
        ],
      ),
    )
    const grantHash = keccak256(
      encodeAbiParameters(
        [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'uint64' }, { type: 'uint64' }],
        [typeHash('Grant(bytes32 commitment,uint64 validUntil,uint64 deadline)'), commitment, message.validUntil, message.deadline],
      ),
    )
    expect(hashTypedData(grantTypedData(location, message))).toBe(keccak256(`0x1901${domainSeparator.slice(2)}${grantHash.slice(2)}`))
    const revokeHash = keccak256(
      encodeAbiParameters(
        [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'uint64' }],
        [typeHash('Revoke(bytes32 commitment,uint64 deadline)'), commitment, message.deadline],
      ),
    )
    expect(hashTypedData(revokeTypedData(location, message))).toBe(keccak256(`0x1901${domainSeparator.slice(2)}${revokeHash.slice(2)}`))
  })

  it('recovers the per-grant key only for the same chain, registry and message', async () => {
    const signature = await grantKey.signTypedData(grantTypedData(location, message))
    expect(await recoverTypedDataAddress({ ...grantTypedData(location, message), signature })).toBe(grantKey.address)
    for (const other of [
      grantTypedData({ ...location, chainId: 1 }, message),
      grantTypedData({ ...location, registry: '0x0000000000000000000000000000000000000001' }, message),
      grantTypedData(location, { ...message, validUntil: message.validUntil + 1n }),
    ]) {
      expect(await recoverTypedDataAddress({ ...other, signature })).not.toBe(grantKey.address)
    }
    // A revoke is another message: a grant signature never revokes.
    expect(await recoverTypedDataAddress({ ...revokeTypedData(location, message), signature })).not.toBe(grantKey.address)
  })
})

describe('compactGrantSignature', () => {
  it('splits r ‖ s ‖ v into r and s with the parity in its top bit (EIP-2098)', async () => {
    const signature = await grantKey.signTypedData(grantTypedData(location, message))
    const { r, vs } = compactGrantSignature(signature)
    expect(r).toBe(signature.slice(0, 66))
    const s = BigInt(`0x${signature.slice(66, 130)}`)
    const parity = signature.endsWith('1c') ? 1n : 0n
    expect(BigInt(vs)).toBe(s | (parity << 255n))
  })

  it('refuses the malleated twin (high s), a signature of the wrong length and one that is not hex', async () => {
    const signature = await grantKey.signTypedData(grantTypedData(location, message))
    const s = BigInt(`0x${signature.slice(66, 130)}`)
    const twin = `${signature.slice(0, 66)}${toHex(N - s, { size: 32 }).slice(2)}${signature.endsWith('1c') ? '1b' : '1c'}` as Hex
    expect(() => compactGrantSignature(twin)).toThrow(InvalidGrantSignatureError)
    expect(() => compactGrantSignature(signature.slice(0, 130) as Hex)).toThrow(/65 bytes/)
    expect(() => compactGrantSignature(`${signature.slice(0, 128)}zz1b` as Hex)).toThrow(/65 bytes/)
  })
})

describe('signatureDeadline', () => {
  it('is the lifetime from now plus a random second within a day, and rarely the same twice', () => {
    const deadlines = Array.from({ length: 50 }, () => signatureDeadline(1_000n, 900n))
    for (const d of deadlines) expect(d >= 1_900n && d < 1_900n + BigInt(DEADLINE_JITTER_SECONDS)).toBe(true)
    expect(new Set(deadlines).size).toBeGreaterThan(45)
  })
})
