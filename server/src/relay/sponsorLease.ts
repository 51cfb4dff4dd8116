import { randomUUID } from 'node:crypto'
import type { Address } from 'viem'
import type { ShareStore } from '../storage/shareStore.ts'

/** How long a lease lasts unless renewed; a host that stops (or crashes) frees it after this. */
export const SPONSOR_LEASE_MS = 60_000

/**
 * This host's right to send with the sponsor account, kept in the shared database: several
 * hosts with one key take turns rather than pick the same nonce. Give each host its own key
 * and every host relays at once. A host renews its lease while it relays (when less than half
 * of it is left); one that stops frees it after SPONSOR_LEASE_MS.
 */
export class SponsorLease {
  private heldUntil = 0
  private readonly holder = randomUUID()

  constructor(
    private readonly store: Pick<ShareStore, 'leaseSponsor'>,
    private readonly sponsor: Address,
    private readonly clock: () => number,
    private readonly ttlMs = SPONSOR_LEASE_MS,
  ) {}

  /** True while this host holds the lease (taking or renewing it as needed); false while another host does. */
  async hold(): Promise<boolean> {
    const now = this.clock()
    if (now < this.heldUntil - this.ttlMs / 2) return true
    const held = await this.store.leaseSponsor(this.sponsor, this.holder, now, this.ttlMs)
    this.heldUntil = held ? now + this.ttlMs : 0
    return held
  }
}
