import { BaseError, ContractFunctionRevertedError, toHex, type Hex } from 'viem'

/** Runs a contract write (or simulation) that must revert and returns viem's decoded custom error. */
export async function revertOf(attempt: Promise<unknown>): Promise<{ name: string; args: readonly unknown[] }> {
  try {
    await attempt
  } catch (error) {
    const reverted = error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : null
    if (reverted instanceof ContractFunctionRevertedError && reverted.data) {
      return { name: reverted.data.errorName, args: reverted.data.args ?? [] }
    }
    throw error
  }
  throw new Error('expected the transaction to revert, but it went through')
}

/** 32 random bytes, as hex. */
export const random32 = (): Hex => toHex(crypto.getRandomValues(new Uint8Array(32)))
