import { CareKeyError } from '../../domain/errors.ts'
import type { ConsentScope } from '../../domain/consent/index.ts'
import type { WalletKeys } from '../../domain/wallet/keys.ts'
import { selectRecordsForSharing, type RecordSummaryView } from '../records/index.ts'
import type { ShareRecord } from './prepareGrant.ts'

/**
 * The ids of the records a scope covers now: every record in its categories and every
 * hand-picked one, in the order given.
 *
 * @example
 * recordIdsInScope(summaries, { categories: ['allergies'], recordIds: [], actions: ['access'] })
 */
export function recordIdsInScope(summaries: readonly Pick<RecordSummaryView, 'id' | 'category'>[], scope: ConsentScope): string[] {
  const categories = new Set<string>(scope.categories)
  const picked = new Set(scope.recordIds)
  return summaries.filter((s) => categories.has(s.category) || picked.has(s.id)).map((s) => s.id)
}

/**
 * The records a share holds, decrypted with the unlocked keys, each with its CareKey id.
 *
 * @example
 * const records = await readShareRecords(keys, recordIdsInScope(summaries, scope))
 */
export async function readShareRecords(keys: WalletKeys, recordIds: readonly string[]): Promise<ShareRecord[]> {
  return Promise.all(
    recordIds.map(async (id) => {
      const [resource] = await selectRecordsForSharing(keys, { recordIds: [id] })
      if (!resource) throw new RecordGoneError()
      return { id, resource }
    }),
  )
}

/** A record chosen for the share was deleted before the share was made. */
export class RecordGoneError extends CareKeyError {
  constructor() {
    super('A record you chose is no longer in your wallet.', 'Go back and choose what to share again.')
  }
}
