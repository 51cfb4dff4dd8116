import 'fake-indexeddb/auto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { storedConsentFixture, storedShareFixture } from '../test/consentFixtures.ts'
import { deriveWalletKeys } from '../domain/wallet/keys.ts'
import { parseRecoveryPhrase } from '../domain/wallet/mnemonic.ts'
import { readConsentRowsForBackup, restoreConsentRowsFromBackup } from './consentsBackup.ts'
import { consentsStorageKey, deleteConsentRow, writeConsent } from './consentsRepository.ts'
import { closeCareKeyDb, useDatabaseName } from './db.ts'
import { LOCAL_CHANGES_SETTING, markBackedUp, noteLocalChange, onLocalChange, parseLocalChanges, readLocalChanges } from './localChanges.ts'
import { deriveRecordsKeys } from '../domain/records/keys.ts'
import { writeRecordsChange } from './recordsRepository.ts'
import { readSetting, writeSetting } from './settingsRepository.ts'
import { writeConsentWithShare, writeShare } from './sharesRepository.ts'

const wallet = await deriveWalletKeys(parseRecoveryPhrase('test test test test test test test test test test test junk'))
const consentsKey = await consentsStorageKey(wallet.root)
const recordsKeys = await deriveRecordsKeys(wallet.root)

let n = 0
let heard = 0
let stopListening: () => void = () => undefined
beforeEach(async () => {
  await useDatabaseName(`local-changes-${++n}`)
  heard = 0
  stopListening = onLocalChange(() => heard++)
})
afterEach(async () => {
  stopListening()
  await closeCareKeyDb()
})

describe('local changes', () => {
  it('keep the newest change and the first one not yet backed up, and tell the listeners', async () => {
    expect(await readLocalChanges()).toEqual({ revision: 0, changedAt: undefined, unsavedSince: undefined })
    await noteLocalChange(1_000)
    await noteLocalChange(5_000)
    expect(await readLocalChanges()).toEqual({ revision: 2, changedAt: 5_000, unsavedSince: 1_000 })
    expect(heard).toBe(2)
  })

  it('are cleared by a backup of the latest revision, and kept when a change came after the backup read its data', async () => {
    await noteLocalChange(1_000)
    const { revision } = await readLocalChanges()
    await noteLocalChange(2_000) // made while the backup was being uploaded
    expect(await markBackedUp(revision)).toBe(false)
    expect(await readLocalChanges()).toMatchObject({ unsavedSince: 1_000, changedAt: 2_000 })

    const now = await readLocalChanges()
    expect(await markBackedUp(now.revision)).toBe(true)
    expect(await readLocalChanges()).toEqual({ revision: now.revision, changedAt: 2_000, unsavedSince: undefined })
    await noteLocalChange(3_000)
    expect(await readLocalChanges()).toMatchObject({ unsavedSince: 3_000, changedAt: 3_000 })
  })

  it('read a damaged marker as unknown rather than failing', async () => {
    await writeSetting(LOCAL_CHANGES_SETTING, { revision: -1, changedAt: 'yesterday', unsavedSince: 7 })
    expect(await readLocalChanges()).toEqual({ revision: 0, changedAt: undefined, unsavedSince: 7 })
    expect(parseLocalChanges('nonsense')).toEqual({ revision: 0, changedAt: undefined, unsavedSince: undefined })
  })

  it('are noted by every write of backed-up data: records, consents, shares, a restore of consents', async () => {
    await writeRecordsChange({}, recordsKeys.manifest)
    expect(heard).toBe(1)
    const consent = storedConsentFixture({ id: 'c-1', patient: wallet.account.address, shareId: 's-1', createdAt: 1, updatedAt: 1 })
    const share = storedShareFixture({ id: 's-1', consentId: 'c-1', createdAt: 1, updatedAt: 1 })
    await writeConsent(consentsKey, consent)
    await writeShare(consentsKey, share)
    await writeConsentWithShare(consentsKey, consent, share)
    await deleteConsentRow('c-1')
    expect(heard).toBe(5)
    const rows = await readConsentRowsForBackup()
    expect(await restoreConsentRowsFromBackup(rows)).toBe(0) // the share is here already: nothing written
    expect(heard).toBe(5)
    await useDatabaseName(`local-changes-${++n}`)
    expect(await restoreConsentRowsFromBackup(rows)).toBe(0)
    expect(heard).toBe(6) // the share came back
    expect((await readLocalChanges()).unsavedSince).toBeDefined()
  })

  it('are not noted for settings', async () => {
    await writeSetting('autoLockMinutes', 5)
    expect(heard).toBe(0)
    expect(await readSetting(LOCAL_CHANGES_SETTING, parseLocalChanges)).toMatchObject({ changedAt: undefined })
  })
})
