import { describe, expect, it } from 'vitest'
import { parseEther } from 'viem'
import { balanceText } from './balance.ts'

describe('a balance for people', () => {
  it('rounds to 4 decimal places and drops trailing zeros', () => {
    expect(balanceText(parseEther('0.25'), 18, 'ETH')).toBe('0.25 ETH')
    expect(balanceText(parseEther('10'), 18, 'ETH')).toBe('10 ETH')
    expect(balanceText(parseEther('0'), 18, 'ETH')).toBe('0 ETH')
    expect(balanceText(parseEther('9.999956123456789012'), 18, 'ETH')).toBe('10 ETH')
    expect(balanceText(parseEther('1.234549999'), 18, 'ETH')).toBe('1.2345 ETH')
    expect(balanceText(parseEther('1.23455'), 18, 'ETH')).toBe('1.2346 ETH')
    expect(balanceText(parseEther('10000'), 18, 'ETH')).toBe('10000 ETH')
  })

  it('never shows an 18-digit tail', () => {
    expect(balanceText(123_456_789_012_345_678n, 18, 'ETH')).toBe('0.1235 ETH')
    expect(balanceText(123_456_789_012_345_678n, 18, 'ETH')).not.toMatch(/\d{5,}/)
  })

  it('says a tiny balance is tiny rather than nothing', () => {
    expect(balanceText(1n, 18, 'ETH')).toBe('less than 0.0001 ETH')
    expect(balanceText(parseEther('0.00005'), 18, 'ETH')).toBe('0.0001 ETH')
  })

  it('shows a currency with few decimals as it is', () => {
    expect(balanceText(1234n, 2, 'EUR')).toBe('12.34 EUR')
  })
})
