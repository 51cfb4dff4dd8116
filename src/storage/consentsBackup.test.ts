import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it } from 'vitest'
import { openBackup, sealBackup } from '../domain/records/backup.ts'
import { deriveWalletKeys } from '../domain/wallet/keys.ts'
import { parseRecoveryPhrase } from '../domain/wallet/mnemonic.ts'
import { readConsentRowsForBackup, restoreConsentRowsFromBackup } from './consentsBackup.ts'
import { consentsStorageKey, readConsents, writeConsent, type StoredConsent } from './consentsRepository.ts'
import { closeCareKeyDb, useDatabaseName } from './db.ts'
import { readShares, writeShare } from './sharesRepository.ts'
import { storedConsentFixture, storedShareFixture } from '../test/consentFixtures.ts'

const wallet = await deriveWalletKeys(parseRecoveryPhrase('test test test test test test test test test test test junk'))
const key = await consentsStorageKey(wallet.root)
const backupKey = () => crypto.subtle.generateKey({ name: 'AES-KW', length: 256 }, false, ['wrapKey', 'unwrapKey'])

function consent(id: string, granteeName: string): StoredConsent {
  return storedConsentFixture({
    id,
    patient: wallet.account.address,
    granteeName,
    grantTx: { hash: `0x${'ab'.repeat(32)}`, blockNumber: 7n },
    shareId: 's-1',
    createdAt: 1,
    updatedAt: 1,
  })
}
const share = storedShareFixture({ id: 's-1', consentId: 'c-1', uploadedAt: 2, createdAt: 1, updatedAt: 2 })

let n = 0
afterEach(() => closeCareKeyDb())

describe('consents in the backup file', () => {
  it('come back on another device from the same recovery phrase, grantee names, terms and share keys included', async () => {
    await useDatabaseName(`consents-backup-a-${++n}`)
    const granted = consent('c-1', 'Dr. Lee')
    await writeConsent(key, granted)
    await writeShare(key, share)
    const kek = await backupKey()
    const file = await sealBackup({ createdAt: 1, records: [], attachments: [], sealedRows: await readConsentRowsForBackup() }, kek)

    await useDatabaseName(`consents-backup-b-${++n}`)
    const opened = await openBackup(file, kek)
    expect(await restoreConsentRowsFromBackup(opened.sealedRows ?? {})).toBe(1)
    expect((await readConsents(key)).consents).toEqual([granted])
    expect((await readShares(key)).shares).toEqual([share])
  })

  it('keep what the device already has, and restoring twice adds nothing', async () => {
    await useDatabaseName(`consents-backup-c-${++n}`)
    await writeConsent(key, consent('c-1', 'From the backup'))
    const rows = await readConsentRowsForBackup()
    await writeConsent(key, consent('c-1', 'Changed since'))
    expect(await restoreConsentRowsFromBackup(rows)).toBe(0)
    expect((await readConsents(key)).consents.map((c) => c.granteeName)).toEqual(['Changed since'])
  })

  it('are simply absent from a backup made before consents existed', async () => {
    await useDatabaseName(`consents-backup-d-${++n}`)
    const kek = await backupKey()
    const opened = await openBackup(await sealBackup({ createdAt: 1, records: [], attachments: [] }, kek), kek)
    expect(opened.sealedRows).toEqual({})
    expect(await restoreConsentRowsFromBackup(opened.sealedRows ?? {})).toBe(0)
  })
})
