const DAY_MS = 86_400_000

/**
 * The sponsor's gas allowance per UTC day, over all clients. A request reserves its gas limit
 * before it is sent, so concurrent requests cannot overspend together; once mined, the unused
 * part of the reservation is given back.
 */
export class DailyGasBudget {
  private day = -1
  private spent = 0n

  constructor(
    private readonly limit: bigint,
    private readonly clock: () => number,
  ) {}

  /** Reserves `gas` for today; undefined when the day's allowance would be exceeded. */
  reserve(gas: bigint): { day: number } | undefined {
    this.rollOver()
    if (this.spent + gas > this.limit) return undefined
    this.spent += gas
    return { day: this.day }
  }

  /** Settles a reservation with the gas actually used (0 when nothing was sent). */
  settle(reservation: { day: number }, reserved: bigint, used: bigint): void {
    this.rollOver()
    if (reservation.day !== this.day) return
    this.spent -= reserved - used
  }

  /** Seconds until the allowance starts again (the next UTC midnight). */
  secondsUntilReset(): number {
    const now = this.clock()
    return Math.max(1, Math.ceil(((Math.floor(now / DAY_MS) + 1) * DAY_MS - now) / 1000))
  }

  /** Gas spent or reserved today. */
  get spentToday(): bigint {
    this.rollOver()
    return this.spent
  }

  private rollOver() {
    const today = Math.floor(this.clock() / DAY_MS)
    if (today !== this.day) {
      this.day = today
      this.spent = 0n
    }
  }
}
