import { formatUnits } from 'viem'

/** Decimal places a balance is rounded to on the screens: enough for a fee, no 18-digit tails. */
const SHOWN_DECIMALS = 4

/**
 * A balance for people: rounded to 4 decimal places, trailing zeros dropped ('0.25 ETH',
 * '10 ETH'); a tiny balance that would round to nothing says so ('less than 0.0001 ETH'). The
 * exact value belongs in technical details (`formatUnits`).
 *
 * @example
 * balanceText(250_000_000_000_000_000n, 18, 'ETH') // '0.25 ETH'
 * balanceText(9_999_956_000_000_000_000n, 18, 'ETH') // '10 ETH'
 */
export function balanceText(value: bigint, decimals: number, symbol: string): string {
  if (decimals <= SHOWN_DECIMALS) return `${formatUnits(value, decimals)} ${symbol}`
  const step = 10n ** BigInt(decimals - SHOWN_DECIMALS)
  const rounded = (value + step / 2n) / step
  if (rounded === 0n && value > 0n) return `less than 0.${'0'.repeat(SHOWN_DECIMALS - 1)}1 ${symbol}`
  return `${formatUnits(rounded, SHOWN_DECIMALS)} ${symbol}`
}
