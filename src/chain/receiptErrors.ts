import { BaseError, decodeErrorResult, isHex, type Hex } from 'viem'
import { consentRegistryAbi } from './consentRegistry.ts'
import { ConsentTransactionFailedError, describeConsentRevert, toConsentChainError } from './consentRegistryErrors.ts'
import { CareKeyError } from '../domain/errors.ts'

/**
 * Turns a failure while waiting for a transaction's receipt into a CareKeyError. A mined
 * transaction that reverted is replayed by wagmi to find out why: its custom error (raw revert
 * data, as a plain call has no ABI) is decoded with the registry's ABI. Anything else that is
 * not a chain error means the transaction did not do its job, in unknown words.
 *
 * @example
 * receipt.error && <ErrorMessage error={toReceiptError(receipt.error)} />
 */
export function toReceiptError(error: unknown): CareKeyError {
  const data = revertData(error)
  if (data) {
    try {
      const decoded = decodeErrorResult({ abi: consentRegistryAbi, data })
      const described = describeConsentRevert(decoded.errorName, decoded.args ?? [])
      if (described) return described
    } catch {
      // Not one of the registry's errors: reported as an unexplained revert below.
    }
    return new ConsentTransactionFailedError('the transaction was reverted', { cause: error })
  }
  const mapped = toConsentChainError(error)
  if (mapped instanceof CareKeyError) return mapped
  const reason = error instanceof Error && error.message && error.message !== 'unknown reason' ? `: ${error.message.slice(0, 120)}` : ''
  return new ConsentTransactionFailedError(`the transaction was reverted${reason}`, { cause: error })
}

function revertData(error: unknown): Hex | undefined {
  if (!(error instanceof BaseError)) return undefined
  let data: Hex | undefined
  error.walk((e) => {
    const candidate: unknown = typeof e === 'object' && e !== null && 'data' in e ? e.data : undefined
    if (typeof candidate === 'string' && isHex(candidate) && candidate.length >= 10) data = candidate
    return false
  })
  return data
}
