import 'fake-indexeddb/auto'
import { beforeEach, describe, expect, it } from 'vitest'
import { deriveWalletKeys } from '../../domain/wallet/keys.ts'
import { parseRecoveryPhrase } from '../../domain/wallet/mnemonic.ts'
import { useDatabaseName } from '../../storage/db.ts'
import { keyring } from '../wallet/index.ts'
import { deleteRecord, importRecords } from './recordsActions.ts'
import { WalletLockedError } from '../../domain/wallet/errors.ts'
import { RecordsSession } from './session.ts'

const wallet = await deriveWalletKeys(parseRecoveryPhrase('test test test test test test test test test test test junk'))
const allergy = JSON.stringify({ resourceType: 'AllergyIntolerance', patient: { display: 'Me' }, code: { text: 'Peanut' } })
let n = 0

beforeEach(async () => {
  await useDatabaseName(`records-session-${++n}`)
  keyring.set(wallet)
})

describe('the records session follows the keyring', () => {
  it('drops the decrypted index and the undo copy at lock, and starts a new epoch', async () => {
    const session = new RecordsSession(keyring)
    await importRecords(allergy, 'imported', session)
    const [record] = (await session.index()).records
    await deleteRecord(record?.id ?? '', session)
    expect(session.getDeletion()?.summary.title).toBe('Peanut')
    const epoch = session.getEpoch()

    keyring.clear()
    expect(session.getEpoch()).toBe(epoch + 1)
    expect(session.getDeletion()).toBeUndefined()
    await expect(session.index()).rejects.toBeInstanceOf(WalletLockedError)
  })

  it('starts afresh when another wallet is unlocked (the wallet was removed and another restored)', async () => {
    const session = new RecordsSession(keyring)
    await importRecords(allergy, 'imported', session)
    const other = await deriveWalletKeys(
      parseRecoveryPhrase('abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'),
    )
    keyring.set(other)
    await useDatabaseName(`records-session-${++n}`)
    expect((await session.index()).records).toEqual([])
  })
})
