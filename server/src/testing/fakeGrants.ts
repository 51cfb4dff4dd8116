import type { Address, Hex } from 'viem'
import type { GrantStatus } from '../../../src/domain/consent/grantStatus.ts'
import type { GrantPeriod, GrantStatusReader } from '../chain/grantStatus.ts'

/**
 * The chain, faked: grant statuses set by the test; any other grant is `unknown`. A grant set
 * with a period answers as the registry's `statusOfGrant` does: `unknown` for another end,
 * `pending` before its start.
 */
export class FakeGrants implements GrantStatusReader {
  readonly statuses = new Map<string, { status: GrantStatus; period?: GrantPeriod }>()
  reads = 0
  constructor(private readonly clock: () => number = Date.now) {}
  set(patientAddress: Address, commitment: Hex, status: GrantStatus, period?: GrantPeriod) {
    this.statuses.set(`${patientAddress.toLowerCase()}:${commitment}`, { status, ...(period && { period }) })
  }
  async statusOf(patientAddress: Address, commitment: Hex, asked?: GrantPeriod): Promise<GrantStatus> {
    this.reads++
    const grant = this.statuses.get(`${patientAddress.toLowerCase()}:${commitment}`)
    if (!grant) return 'unknown'
    if (!asked || !grant.period) return grant.status
    if (asked.validUntil !== grant.period.validUntil) return 'unknown'
    return grant.status === 'active' && this.clock() / 1000 < asked.validFrom ? 'pending' : grant.status
  }
}
