import type { Address, Hex } from 'viem'
import type { GrantStatus } from '../../../src/domain/consent/grantStatus.ts'
import type { GrantStatusReader } from '../chain/grantStatus.ts'

/** The chain, faked: grant statuses set by the test; any other grant is `unknown`. */
export class FakeGrants implements GrantStatusReader {
  readonly statuses = new Map<string, GrantStatus>()
  reads = 0
  set(patientAddress: Address, commitment: Hex, status: GrantStatus) {
    this.statuses.set(`${patientAddress.toLowerCase()}:${commitment}`, status)
  }
  async statusOf(patientAddress: Address, commitment: Hex): Promise<GrantStatus> {
    this.reads++
    return this.statuses.get(`${patientAddress.toLowerCase()}:${commitment}`) ?? 'unknown'
  }
}
