import { describe, expect, it } from 'vitest'
import { DailyGasBudget } from './dailyGas.ts'

describe('daily gas budget', () => {
  it('reserves up to the limit, gives back what was not used, and starts again at UTC midnight', () => {
    let now = Date.UTC(2026, 10, 20, 23, 59, 0)
    const budget = new DailyGasBudget(100_000n, () => now)
    const first = budget.reserve(60_000n)
    expect(first).toBeDefined()
    expect(budget.reserve(60_000n)).toBeUndefined()
    if (first) budget.settle(first, 60_000n, 50_000n)
    expect(budget.spentToday).toBe(50_000n)
    expect(budget.reserve(50_000n)).toBeDefined()
    expect(budget.reserve(1n)).toBeUndefined()
    expect(budget.secondsUntilReset()).toBe(60)
    now += 60_000
    expect(budget.spentToday).toBe(0n)
    expect(budget.reserve(100_000n)).toBeDefined()
  })

  it('ignores the settling of yesterday’s reservation', () => {
    let now = Date.UTC(2026, 10, 20, 23, 59, 59)
    const budget = new DailyGasBudget(100_000n, () => now)
    const reservation = budget.reserve(70_000n)
    now += 2_000
    if (reservation) budget.settle(reservation, 70_000n, 0n)
    expect(budget.spentToday).toBe(0n)
  })
})
