import { describe, expect, it } from 'vitest'
import { deriveWalletKeys } from '../../domain/wallet/keys.ts'
import { parseRecoveryPhrase } from '../../domain/wallet/mnemonic.ts'
import { sessionScope } from './session.ts'

const phrase = parseRecoveryPhrase('test test test test test test test test test test test junk')

describe('the session scope of query keys', () => {
  it('is 0 while locked, stays the same for one unlock, and is new at the next unlock of the same wallet', async () => {
    const firstUnlock = await deriveWalletKeys(phrase)
    const secondUnlock = await deriveWalletKeys(phrase)
    expect(sessionScope(undefined)).toBe(0)
    const first = sessionScope(firstUnlock)
    expect(first).toBeGreaterThan(0)
    expect(sessionScope(firstUnlock)).toBe(first)
    expect(sessionScope(secondUnlock)).not.toBe(first)
    expect(sessionScope(secondUnlock)).toBeGreaterThan(0)
  })
})
