/** What the helpers below need of an idb transaction. */
type Transaction = { abort(): void; readonly done: Promise<void> }

/**
 * Aborts a transaction so that none of its writes is kept, and waits until it has ended (its
 * `done` and the requests already made settle, so none of them rejects unobserved).
 *
 * @example
 * if (!stillExpected) {
 *   await abortTransaction(tx)
 *   return false
 * }
 */
export async function abortTransaction(tx: Transaction, requests: readonly Promise<unknown>[] = []): Promise<void> {
  tx.abort()
  await Promise.allSettled([...requests, tx.done])
}

/**
 * Makes the requests of a write transaction and waits for it to commit: all of them are stored
 * or none. A failed request aborts the transaction by itself; some failures (a full disk, a value
 * that cannot be cloned) throw at once instead, and then the requests already made are undone
 * before the error is rethrown.
 *
 * @example
 * const tx = db.transaction(['consents', 'shares'], 'readwrite')
 * await writeAllOrNothing(tx, (requests) => {
 *   requests.push(tx.objectStore('consents').put(consentRow), tx.objectStore('shares').put(shareRow))
 * })
 */
export async function writeAllOrNothing(tx: Transaction, makeRequests: (requests: Promise<unknown>[]) => void): Promise<void> {
  const requests: Promise<unknown>[] = []
  try {
    makeRequests(requests)
  } catch (error) {
    await abortTransaction(tx, requests)
    throw error
  }
  await Promise.all([...requests, tx.done])
}
