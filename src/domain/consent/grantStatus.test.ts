import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { GRANT_STATUSES, grantStatusFromChain } from './grantStatus.ts'

const source = readFileSync(new URL('../../../contracts/src/ConsentRegistry.sol', import.meta.url), 'utf8')

describe('grant statuses', () => {
  it('are in the order of the contract’s enum Status', () => {
    const body = /enum Status \{([^}]*)\}/.exec(source)?.[1]
    const withoutComments = body?.replace(/\/\/.*$/gm, '')
    const contractOrder = withoutComments?.split(',').map((name) => name.trim().toLowerCase())
    expect(contractOrder).toEqual([...GRANT_STATUSES])
  })

  it('are read from the number the contract returns, and nothing for a number it does not have', () => {
    expect(grantStatusFromChain(0)).toBe('unknown')
    expect(grantStatusFromChain(1)).toBe('active')
    expect(grantStatusFromChain(2)).toBe('revoked')
    expect(grantStatusFromChain(3)).toBe('expired')
    expect(grantStatusFromChain(4)).toBe('pending')
    expect(grantStatusFromChain(5)).toBeUndefined()
  })
})
