import 'fake-indexeddb/auto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { closeCareKeyDb, openCareKeyDb, useDatabaseName } from './db.ts'
import { abortTransaction, writeAllOrNothing } from './transactions.ts'

let n = 0
beforeEach(async () => {
  await useDatabaseName(`transactions-${++n}`)
})
afterEach(() => closeCareKeyDb())

describe('a write transaction', () => {
  it('keeps every write when all requests are made', async () => {
    const db = await openCareKeyDb()
    const tx = db.transaction('settings', 'readwrite')
    await writeAllOrNothing(tx, (requests) => {
      requests.push(tx.store.put('a', 'first'), tx.store.put('b', 'second'))
    })
    expect(await db.getAll('settings')).toEqual(['a', 'b'])
  })

  it('keeps none of the writes and reports the error when making a request throws at once', async () => {
    const db = await openCareKeyDb()
    const tx = db.transaction('settings', 'readwrite')
    const notCloneable = () => undefined
    await expect(
      writeAllOrNothing(tx, (requests) => {
        requests.push(tx.store.put('a', 'first'))
        requests.push(tx.store.put(notCloneable, 'second'))
      }),
    ).rejects.toMatchObject({ name: 'DataCloneError' })
    expect(await db.getAll('settings')).toEqual([])
  })

  it('keeps nothing once aborted, and ends without an unobserved rejection', async () => {
    const db = await openCareKeyDb()
    const tx = db.transaction('settings', 'readwrite')
    const put = tx.store.put('a', 'first')
    await abortTransaction(tx, [put])
    await expect(put).rejects.toBeDefined()
    expect(await db.getAll('settings')).toEqual([])
  })
})
