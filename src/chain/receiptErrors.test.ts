import { describe, expect, it } from 'vitest'
import { BaseError, encodeErrorResult, HttpRequestError, RawContractError } from 'viem'
import { consentRegistryAbi } from './consentRegistry.ts'
import { ConsentTransactionFailedError, GrantAlreadyRecordedError, GrantAlreadyRevokedError } from './consentRegistryErrors.ts'
import { NetworkUnreachableError } from './errors.ts'
import { toReceiptError } from './receiptErrors.ts'

const commitment = `0x${'ab'.repeat(32)}` as const

/** What wagmi throws when it replays a reverted transaction: a call error around the raw revert data. */
function replayedRevert(data: `0x${string}`) {
  return new BaseError('Execution reverted.', { cause: new RawContractError({ data }) })
}

describe('a transaction that failed after it was sent', () => {
  it('names the registry’s custom error', () => {
    const recorded = encodeErrorResult({ abi: consentRegistryAbi, errorName: 'GrantAlreadyRecorded', args: [commitment] })
    expect(toReceiptError(replayedRevert(recorded))).toBeInstanceOf(GrantAlreadyRecordedError)
    const revoked = encodeErrorResult({ abi: consentRegistryAbi, errorName: 'GrantAlreadyRevoked', args: [commitment] })
    expect(toReceiptError(replayedRevert(revoked))).toBeInstanceOf(GrantAlreadyRevokedError)
  })

  it('says "reverted" for revert data that is not the registry’s', () => {
    const error = toReceiptError(replayedRevert('0xdeadbeef00'))
    expect(error).toBeInstanceOf(ConsentTransactionFailedError)
    expect(error.userMessage).toBe('The network did not record this change: the transaction was reverted.')
  })

  it('keeps the reason wagmi found, or says it is unknown', () => {
    expect(toReceiptError(new Error('out of gas')).userMessage).toContain('the transaction was reverted: out of gas')
    expect(toReceiptError(new Error('unknown reason')).userMessage).toBe('The network did not record this change: the transaction was reverted.')
  })

  it('tells a network outage apart from a failed transaction', () => {
    expect(toReceiptError(new HttpRequestError({ url: 'http://127.0.0.1:1' }))).toBeInstanceOf(NetworkUnreachableError)
  })
})
