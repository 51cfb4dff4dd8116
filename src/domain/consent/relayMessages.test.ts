import { describe, expect, it } from 'vitest'
import { isRelayErrorCode, relayGrantRequestSchema, relayReceiptSchema, relayRevokeRequestSchema } from './relayMessages.ts'

const grant = {
  chainId: 31337,
  registry: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
  patient: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
  commitment: `0x${'ab'.repeat(32)}`,
  validUntil: 1_800_000_000,
  deadline: 1_790_000_000,
  signature: `0x${'12'.repeat(64)}1b`,
}

describe('relay requests', () => {
  it('parses a grant request and checksums its addresses', () => {
    const parsed = relayGrantRequestSchema.parse(grant)
    expect(parsed.registry).toBe('0x5FbDB2315678afecb367f032d93F642f64180aa3')
    expect(parsed.patient).toBe('0x70997970C51812dc3A010C7d01b50e0d17dc79C8')
  })

  it('refuses a wrong field, a missing field and any extra field', () => {
    expect(relayGrantRequestSchema.safeParse({ ...grant, commitment: '0x1234' }).success).toBe(false)
    expect(relayGrantRequestSchema.safeParse({ ...grant, signature: `0x${'12'.repeat(64)}` }).success).toBe(false)
    expect(relayGrantRequestSchema.safeParse({ ...grant, validUntil: 1.5 }).success).toBe(false)
    expect(relayGrantRequestSchema.safeParse({ ...grant, validUntil: '1800000000' }).success).toBe(false)
    expect(relayGrantRequestSchema.safeParse({ ...grant, patient: '0x1234' }).success).toBe(false)
    const { deadline: _deadline, ...withoutDeadline } = grant
    expect(relayGrantRequestSchema.safeParse(withoutDeadline).success).toBe(false)
    expect(relayGrantRequestSchema.safeParse({ ...grant, data: '0x' }).success).toBe(false)
  })

  it('parses a revoke request, which has no end of validity', () => {
    const { validUntil: _validUntil, ...revoke } = grant
    expect(relayRevokeRequestSchema.safeParse(revoke).success).toBe(true)
    expect(relayRevokeRequestSchema.safeParse(grant).success).toBe(false)
  })

  it('parses the receipt reply', () => {
    expect(relayReceiptSchema.safeParse({ transactionHash: `0x${'cd'.repeat(32)}`, blockNumber: 7, patient: grant.patient }).success).toBe(true)
    expect(relayReceiptSchema.safeParse({ transactionHash: '0xcd', blockNumber: 7, patient: grant.patient }).success).toBe(false)
  })

  it('knows its error codes', () => {
    expect(isRelayErrorCode('sponsor-out-of-funds')).toBe(true)
    expect(isRelayErrorCode('rate_limited')).toBe(false)
  })
})
