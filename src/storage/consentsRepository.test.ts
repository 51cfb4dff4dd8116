import 'fake-indexeddb/auto'
import { openDB, type IDBPDatabase } from 'idb'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { newBearerSecret, type ConsentScope } from '../domain/consent/index.ts'
import { deriveWalletKeys } from '../domain/wallet/keys.ts'
import { parseRecoveryPhrase } from '../domain/wallet/mnemonic.ts'
import {
  consentsStorageKey,
  readConsent,
  readConsents,
  sealConsent,
  writeConsent,
  type StoredConsent,
} from './consentsRepository.ts'
import { StorageFullError } from './errors.ts'
import { CONSENT_ROW_FORMAT } from './rows.ts'
import { openRowPayload } from './sealedRows.ts'
import { utf8 } from '../domain/crypto/bytes.ts'
import { seal } from '../domain/crypto/envelope.ts'
import { FORMAT1 } from '../test/format1Fixture.ts'
import { closeCareKeyDb, DB_VERSION, migrations, openCareKeyDb, useDatabaseName, type CareKeyDB } from './db.ts'
import { deleteConsentWithShare, readShare, readShares, writeConsentWithShare, writeShare, type StoredShare } from './sharesRepository.ts'
import { storedConsentFixture, storedShareFixture } from '../test/consentFixtures.ts'

const walletA = await deriveWalletKeys(parseRecoveryPhrase('test test test test test test test test test test test junk'))
const walletB = await deriveWalletKeys(
  parseRecoveryPhrase('abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'),
)
const keyA = await consentsStorageKey(walletA.root)
const keyB = await consentsStorageKey(walletB.root)
const scope: ConsentScope = { categories: ['allergies', 'medications'], recordIds: [], actions: ['access'] }

function consent(id: string, overrides: Partial<StoredConsent> = {}): StoredConsent {
  return storedConsentFixture({
    id,
    patient: walletA.account.address,
    grantee: { kind: 'bearer', secret: newBearerSecret() },
    scope,
    granteeName: 'Dr. Lee',
    state: 'submitted',
    grantTx: { hash: `0x${'ab'.repeat(32)}`, blockNumber: undefined },
    ...overrides,
  })
}

function share(id: string, consentId: string): StoredShare {
  return storedShareFixture({
    id,
    consentId,
    passcode: '2468',
    flags: ['L', 'P'],
    jwe: 'eyJhbGciOiJkaXIifQ..aaa.bbb.ccc',
    recordCount: 3,
    state: 'prepared',
    uploadedAt: undefined,
  })
}

let n = 0
beforeEach(async () => {
  await useDatabaseName(`consents-${++n}`)
})
afterEach(() => closeCareKeyDb())

describe('consents on this device', () => {
  it('reads back exactly what was stored, with the commitment recomputed from the terms', async () => {
    const stored = consent('c-1', { grantTx: { hash: `0x${'cd'.repeat(32)}`, blockNumber: 42n }, state: 'recorded' })
    await writeConsent(keyA, stored)
    expect(await readConsent(keyA, 'c-1')).toEqual(stored)
  })

  it('keeps the per-grant key’s index and who sent the grant, sealed with the rest', async () => {
    const perGrantKey = storedConsentFixture({ id: 'c-1', patient: walletA.grantAccount(7).address, grantKeyIndex: 7, sentBy: 'sponsor' })
    const fromAccount = consent('c-2', { grantKeyIndex: 0, sentBy: 'account' })
    await writeConsent(keyA, perGrantKey)
    await writeConsent(keyA, fromAccount)
    expect(await readConsent(keyA, 'c-1')).toEqual(perGrantKey)
    expect(await readConsent(keyA, 'c-1')).toMatchObject({ grantKeyIndex: 7, sentBy: 'sponsor' })
    expect(await readConsent(keyA, 'c-2')).toMatchObject({ grantKeyIndex: 0, sentBy: 'account' })
    const db = await openCareKeyDb()
    const row = await db.get('consents', 'c-1')
    expect(Object.keys(row ?? {}).sort()).toEqual(['createdAt', 'format', 'id', 'sealed', 'updatedAt'])
  })

  it('still opens a row written before grants had their own keys: a legacy grant made from the main account', async () => {
    // A row as an older version sealed it (format 1: unpadded, bound to its id only), its JSON without the two fields.
    const legacy = consent('old', { state: 'recorded', grantTx: { hash: `0x${'cd'.repeat(32)}`, blockNumber: 42n } })
    const current = await sealConsent({ ...legacy, grantKeyIndex: 3, sentBy: 'sponsor' }, keyA)
    const json = JSON.parse(utf8.decode(await openRowPayload('consent', current, keyA))) as Record<string, unknown>
    expect(json).toMatchObject({ grantKeyIndex: 3, sentBy: 'sponsor' })
    delete json.grantKeyIndex
    delete json.sentBy
    const db = await openCareKeyDb()
    await db.put('consents', { ...current, format: 1, sealed: await seal(keyA, utf8.encode(JSON.stringify(json)), 'carekey-consent:v1:old') })
    expect(await readConsent(keyA, 'old')).toEqual({ ...legacy, grantKeyIndex: undefined, sentBy: undefined })
    expect((await readConsent(keyA, 'old'))?.terms.patient).toBe(walletA.account.address)
  })

  it('reads the consent and share rows an older CareKey stored (format 1), and writes each in format 2 when it next changes', async () => {
    const db = await openCareKeyDb()
    const [oldConsent] = FORMAT1.consents
    const [oldShare] = FORMAT1.shares
    if (!oldConsent || !oldShare) throw new Error('frozen rows expected')
    await db.put('consents', structuredClone(oldConsent))
    await db.put('shares', structuredClone(oldShare))
    const read = await readConsent(keyA, FORMAT1.expected.consent.id)
    expect(read).toMatchObject(FORMAT1.expected.consent)
    expect(await readShare(keyA, FORMAT1.expected.share.id)).toMatchObject(FORMAT1.expected.share)
    if (!read) throw new Error('the consent expected')

    await writeConsent(keyA, { ...read, state: 'recorded', updatedAt: read.updatedAt + 1 })
    expect((await db.get('consents', read.id))?.format).toBe(CONSENT_ROW_FORMAT)
    expect(await readConsent(keyA, read.id)).toMatchObject({ ...FORMAT1.expected.consent, updatedAt: read.updatedAt + 1 })
    expect((await readConsents(keyA)).damaged).toBe(0)
  })

  it('pads every row to its size bucket and binds it to its id and both timestamps', async () => {
    await writeConsent(keyA, consent('c-1', { granteeName: 'Dr. Lee' }))
    await writeConsent(keyA, consent('c-2', { granteeName: 'Dr. Maximiliana Featherstonehaugh-Bartholomew' }))
    const db = await openCareKeyDb()
    const [a, b] = [await db.get('consents', 'c-1'), await db.get('consents', 'c-2')]
    if (!a || !b) throw new Error('two rows expected')
    expect(a.format).toBe(CONSENT_ROW_FORMAT)
    expect(a.sealed.ciphertext.length).toBe(b.sealed.ciphertext.length)
    await db.put('consents', { ...a, updatedAt: a.updatedAt + 1 })
    await db.put('consents', { ...b, createdAt: b.createdAt - 1 })
    expect(await readConsents(keyA)).toEqual({ consents: [], damaged: 2 })
  })

  it('keeps nothing in the clear but a random id and timestamps', async () => {
    await writeConsent(keyA, consent('c-1'))
    const db = await openCareKeyDb()
    const row = await db.get('consents', 'c-1')
    expect(Object.keys(row ?? {}).sort()).toEqual(['createdAt', 'format', 'id', 'sealed', 'updatedAt'])
    const text = new TextDecoder('latin1').decode(row?.sealed.ciphertext)
    expect(text).not.toContain('Dr. Lee')
    expect(text).not.toContain('allergies')
  })

  it('lists them newest first and counts a row another wallet sealed as damaged, without hiding the rest', async () => {
    await writeConsent(keyA, consent('old', { createdAt: 1 }))
    await writeConsent(keyA, consent('new', { createdAt: 2 }))
    await writeConsent(keyB, consent('foreign'))
    const { consents, damaged } = await readConsents(keyA)
    expect(consents.map((c) => c.id)).toEqual(['new', 'old'])
    expect(damaged).toBe(1)
  })

  it('refuses a row whose ciphertext was moved to another id', async () => {
    await writeConsent(keyA, consent('c-1'))
    const db = await openCareKeyDb()
    const row = await db.get('consents', 'c-1')
    if (!row) throw new Error('missing row')
    await db.put('consents', { ...row, id: 'c-2' })
    await expect(readConsent(keyA, 'c-2')).rejects.toThrow('could not be read')
  })
})

describe('shares on this device', () => {
  it('stores a grant and its share together, and deletes them together', async () => {
    const c = consent('c-1', { shareId: 's-1', state: 'signing' })
    await writeConsentWithShare(keyA, c, share('s-1', 'c-1'))
    expect(await readConsent(keyA, 'c-1')).toEqual(c)
    expect(await readShare(keyA, 's-1')).toEqual(share('s-1', 'c-1'))

    await deleteConsentWithShare('c-1', 's-1')
    expect(await readConsent(keyA, 'c-1')).toBeUndefined()
    expect((await readShares(keyA)).shares).toEqual([])
  })

  it('writes neither when the share cannot be stored', async () => {
    const realPut = Object.getOwnPropertyDescriptor(IDBObjectStore.prototype, 'put')?.value as IDBObjectStore['put']
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === 'shares') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
      return Reflect.apply(realPut, this, args)
    }
    try {
      await expect(writeConsentWithShare(keyA, consent('c-1', { shareId: 's-1' }), share('s-1', 'c-1'))).rejects.toBeInstanceOf(StorageFullError)
    } finally {
      IDBObjectStore.prototype.put = realPut
    }
    expect(await readConsent(keyA, 'c-1')).toBeUndefined()
    await writeShare(keyA, share('s-2', 'c-1'))
    expect((await readShares(keyA)).shares.map((s) => s.id)).toEqual(['s-2'])
  })
})

describe('schema migrations 3 and 4 (consents, shares)', () => {
  it('upgrade a database written by schema version 2 without touching its records', async () => {
    const name = 'migration-v2-to-consents'
    await useDatabaseName(name)
    const v2: IDBPDatabase<CareKeyDB> = await openDB<CareKeyDB>(name, 2, {
      upgrade: (db, oldVersion, _new, tx) => {
        for (let v = oldVersion + 1; v <= 2; v++) migrations[v]?.(db, tx)
      },
    })
    await v2.put('settings', 15, 'autoLockMinutes')
    v2.close()

    const db = await openCareKeyDb()
    expect(db.version).toBe(DB_VERSION)
    expect([...db.objectStoreNames]).toEqual(expect.arrayContaining(['records', 'consents', 'shares']))
    expect(await db.get('settings', 'autoLockMinutes')).toBe(15)
    expect(await db.count('consents')).toBe(0)
  })
})
