import type { Page } from '@playwright/test'
import { backupIdOf, backupListSchema, backupSignerKey, signBackupRequest } from '../src/domain/backup/hostBackup.ts'
import { parseRecoveryPhrase } from '../src/domain/wallet/mnemonic.ts'
import { deriveWalletKeys } from '../src/domain/wallet/keys.ts'
import { findNeedles, scanDirectory } from '../scripts/lib/plaintextScan.ts'
import { WalletPage } from '../scripts/lib/pages/WalletPage.ts'
import { ConsentPage, PATIENT_RECORDS } from './pages/ConsentPage.ts'
import { expect, PASSPHRASE, test } from './support/fixtures.ts'
import { patientNeedles } from './support/plaintextScan.ts'

const CLINICIAN = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const CLINICIAN_NAME = 'Dr. Ada Lee'

/** The texts of the test patient's records and consent, which the host must never see. */
const PRIVATE_TEXTS = {
  'allergy text': 'Peanut allergy',
  'second allergy text': 'Penicillin allergy',
  'medication text': 'Salbutamol inhaler',
  'second medication text': 'Cetirizine 10 mg',
  'condition text': 'Asthma',
  'lab result text': 'HbA1c',
  'clinician name': CLINICIAN_NAME,
}

test('the automatic backup lands, and a fresh browser gets the same records and the consent back from the phrase alone; the host holds no plaintext', async ({ page, browser, baseURL, checkA11y }) => {
  test.setTimeout(150_000)
  const wallet = new WalletPage(page)
  await wallet.open()
  const words = await wallet.create(PASSPHRASE)
  const phrase = words.join(' ')
  const patient = new ConsentPage(page)
  await expect(page.getByRole('button', { name: 'Lock' })).toBeVisible()
  await patient.records.importFile({ name: 'records.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(PATIENT_RECORDS)) })
  await expect(page.getByRole('list', { name: 'Import summary' }).getByRole('listitem').first()).toHaveText('6 imported')
  await patient.startGrant()
  await patient.fill({ categories: ['Allergies', 'Medications'], grantee: CLINICIAN, name: CLINICIAN_NAME, purpose: /^Treatment/ })
  await patient.review()
  await patient.grantAndConfirm()

  // The patient does nothing more: the backup goes up by itself, with the consent in it.
  await patient.records.openTools('Backup and storage')
  await expectBackedUp(page, 6)
  await checkA11y('the Backup and storage screen')
  const before = await patient.records.exportedResources()
  expect(before).toHaveLength(6)

  // What the host holds: every version it keeps, read as the wallet may, and its database on disk.
  const needles = patientNeedles({ phrase, passphrase: PASSPHRASE }, PRIVATE_TEXTS)
  const stored = await hostBackups(baseURL ?? '', phrase)
  expect(stored.length).toBeGreaterThan(0)
  for (const [i, bytes] of stored.entries()) expect(findNeedles(`backup version ${i}`, bytes, needles)).toEqual([])
  const dataDir = process.env.CAREKEY_E2E_SHARE_HOST_DATA_DIR
  if (!dataDir) throw new Error('CAREKEY_E2E_SHARE_HOST_DATA_DIR is not set: run the tests through Playwright')
  // A piece of the newest version's ciphertext is a needle too: finding it shows the scan reads where the host keeps backups.
  const newest = stored[0] ?? new Uint8Array()
  const onDisk = await scanDirectory(dataDir, [...needles, { label: 'backup ciphertext', bytes: newest.slice(100, 164) }])
  expect(onDisk.findings.filter((f) => f.needle !== 'backup ciphertext')).toEqual([])
  expect(onDisk.findings.map((f) => f.needle)).toContain('backup ciphertext')

  // A new phone: a fresh browser profile and the phrase, nothing else.
  const fresh = await (await browser.newContext()).newPage()
  const restored = new ConsentPage(fresh)
  await restored.wallet.open()
  await restored.wallet.restore(phrase, PASSPHRASE, { onlineBackup: 'stay' })
  await expect(fresh.getByRole('heading', { name: 'Restore your records', level: 1 })).toBeVisible()
  await expect(fresh.getByText(/^Backup found: made .+, 6 records, 1 consent/)).toBeVisible({ timeout: 20_000 })
  await checkA11y('the online backup found after a restore')
  await fresh.getByRole('button', { name: 'Restore this backup' }).click()
  await expect(fresh.getByText('Restored 6 records')).toBeVisible()
  await fresh.getByRole('button', { name: 'Go to my records' }).click()

  const after = await restored.records.exportedResources()
  expect(after).toHaveLength(before.length)
  const byText = (resources: unknown[]) => resources.map((r) => JSON.stringify(r)).sort()
  const expected = byText(before)
  byText(after).forEach((resource, i) => expect(resource, `record ${i + 1} of ${expected.length}`).toEqual(expected[i]))

  await restored.open()
  const consent = restored.item(CLINICIAN_NAME)
  await expect(consent).toContainText('Allergies and Medications · Treatment')
  await expect(restored.status(consent)).toHaveText('Active', { timeout: 20_000 })
  await fresh.context().close()
})

/**
 * Waits on the Backup and storage screen until the last online backup holds `records` records and
 * every change since (the consent among them): the status then says nothing more than that.
 */
async function expectBackedUp(page: Page, records: number) {
  await expect(page.getByTestId('online-backup-status')).toHaveText(new RegExp(`^Last backup: .+ · ${records} records?$`), { timeout: 30_000 })
}

/** Every version of the wallet's online backup the host keeps, read with the wallet's backup key as the app does. */
async function hostBackups(host: string, phrase: string): Promise<Uint8Array[]> {
  const signer = await backupSignerKey((await deriveWalletKeys(parseRecoveryPhrase(phrase))).root)
  const url = `${host}/api/backups/${backupIdOf(signer.address)}`
  const listed = await fetch(url, { headers: { authorization: await signBackupRequest(signer, host, { action: 'list-backups' }) } })
  expect(listed.status).toBe(200)
  const { versions } = backupListSchema.parse(await listed.json())
  const bytes: Uint8Array[] = []
  for (const { version } of versions) {
    const authorization = await signBackupRequest(signer, host, { action: 'read-backup', version })
    const response = await fetch(`${url}/versions/${version}`, { headers: { authorization } })
    expect(response.status).toBe(200)
    bytes.push(new Uint8Array(await response.arrayBuffer()))
  }
  return bytes
}
