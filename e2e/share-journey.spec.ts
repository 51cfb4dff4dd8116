import { grantCommitment } from '../src/domain/consent/index.ts'
import { decodeShlink } from '../src/domain/shl/index.ts'
import { fetchShareGrant } from '../src/shareHost/client.ts'
import { ConsentPage } from './pages/ConsentPage.ts'
import { accountOnChain, freshPatient, statusOfGrant } from './pages/ConsentChain.ts'
import { SharePage } from './pages/SharePage.ts'
import { expect, test } from './support/fixtures.ts'
import { writeQrVideo } from '../scripts/lib/qr.ts'

const CLINICIAN = 'Dr. Grace Hopper, City Hospital'

test('in the exam room: the patient shows the QR, the clinician scans it and sees exactly what was shared, verified; revoking ends it', async ({
  page,
  baseURL,
  ownChromium,
}) => {
  test.setTimeout(120_000)
  // The patient, in their own browser.
  const patient = await freshPatient()
  const consent = new ConsentPage(page)
  const share = new SharePage(page)
  await consent.setUpPatient(patient.phrase)
  // Who the records are about: shared with the two categories (ticked by default), though it is in neither.
  const person = { resourceType: 'Patient', id: 'me', name: [{ given: ['Ines'], family: 'Quartermaine' }], birthDate: '1984-11-02' }
  await consent.records.importFile({ name: 'me.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(person)) })
  await expect(page.getByRole('list', { name: 'Import summary' }).getByRole('listitem').first()).toHaveText('1 imported')
  await consent.startGrant()
  await consent.fill({ categories: ['Allergies', 'Medications'], grantee: 'qr', duration: '24 hours', qr: { label: 'For the exam room' } })
  await consent.review()
  await consent.grantAndConfirm()
  await share.expectReady()

  // The test reads the QR code off the patient's screen and shows it to the clinician's camera:
  // a version 11 code at most (61 modules a side), the grant's terms being at the share host.
  const link = await share.decodeQr()
  expect(await share.qrVersion()).toBeLessThanOrEqual(11)
  expect(link.length).toBeLessThanOrEqual(251)
  const video = test.info().outputPath('patient-qr.y4m')
  await writeQrVideo(link, video)
  const clinicianBrowser = await ownChromium.launch({
    args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
  })
  try {
    const clinician = await clinicianBrowser.newPage({ baseURL })
    await clinician.goto('/scan')
    await expect(clinician.getByRole('heading', { name: 'Consent verified on chain' })).toBeVisible({ timeout: 20_000 })
    // The scanned link is held in the tab's memory, never in the address.
    expect(clinician.url()).toBe(`${baseURL}/view`)
    await clinician.getByLabel('Your name and role').fill(CLINICIAN)
    await clinician.getByRole('button', { name: 'Open records' }).click()

    const banner = clinician.getByRole('region', { name: 'Consent verified on chain' })
    await expect(banner).toContainText(await grantAddressOf(link))
    await expect(banner).not.toContainText(patient.address)
    await expect(banner).toContainText('TREAT (HL7 purpose of use)')
    await expect(banner).toContainText('Exactly what the patient consented to share')
    await expect(clinician.getByRole('region', { name: 'About the patient' })).toContainText('Ines Quartermaine')
    await expect(clinician.getByRole('heading', { name: 'Peanut allergy' })).toBeVisible()
    await expect(clinician.getByRole('heading', { name: 'Penicillin allergy' })).toBeVisible()
    await expect(clinician.getByRole('heading', { name: 'Salbutamol inhaler' })).toBeVisible()
    await expect(clinician.getByRole('heading', { name: 'Cetirizine 10 mg' })).toBeVisible()
    // Nothing outside the scope: the patient's condition and lab result were not shared.
    await expect(clinician.getByRole('heading', { name: /^(Conditions|Lab results)/ })).toHaveCount(0)
    await expect(clinician.getByText('Asthma')).toHaveCount(0)
    await expect(clinician.getByText('HbA1c')).toHaveCount(0)

    // The patient sees who opened it, within seconds.
    await expect(share.accessEntries.first()).toContainText(`${CLINICIAN} opened it`)

    // The patient stops sharing. A reload does not reopen the link (it was never in the address);
    // the clinician scans the QR again and sees the consent revoked.
    await share.stopSharing()
    await clinician.reload()
    await expect(clinician.getByRole('heading', { name: 'Open the link again or scan the QR code' })).toBeVisible()
    await clinician.getByRole('link', { name: 'Scan the consent QR code' }).click()
    await expect(clinician.getByRole('heading', { name: 'Consent revoked' })).toBeVisible({ timeout: 20_000 })
    await expect(clinician.getByRole('heading', { name: 'Peanut allergy' })).toHaveCount(0)
    const manifest = await fetch(decodeShlink(link).payload.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ recipient: CLINICIAN }),
    })
    expect(manifest.status).toBe(404)
  } finally {
    await clinicianBrowser.close()
  }
})

test('a patient with no funds shares a QR through the sponsor; the clinician verifies it; the patient revokes; their account never appears on chain', async ({
  page,
  browser,
}) => {
  const patient = await freshPatient({ funded: false })
  const consent = new ConsentPage(page)
  const share = new SharePage(page)
  await consent.setUpPatient(patient.phrase)
  await consent.startGrant()
  await consent.fill({ categories: ['Allergies'], grantee: 'qr', duration: '24 hours', qr: { label: 'For the walk-in clinic' } })
  await consent.review()
  await expect(page.getByText("CareKey's sponsor pays the network fee: recording it costs you nothing")).toBeVisible()
  await consent.grantAndConfirm()
  await share.expectReady()

  // The grant on chain is made by the link's one-time address, never by the patient's account.
  const link = await share.decodeQr()
  const carekey = await fetchShareGrant(decodeShlink(link).payload)
  const { terms } = carekey
  expect(terms.patient).not.toBe(patient.address)
  const commitment = grantCommitment(terms, { chainId: carekey.chainId, registry: carekey.registry })
  expect(await statusOfGrant(terms.patient, commitment, terms.validFrom, terms.validUntil)).toBe('active')
  expect(await statusOfGrant(patient.address, commitment, terms.validFrom, terms.validUntil)).toBe('unknown')

  // The clinician, in a browser of their own, opens the link and sees it verified.
  const clinicianContext = await browser.newContext()
  try {
    const clinician = await clinicianContext.newPage()
    await clinician.goto(link)
    await expect(clinician.getByRole('heading', { name: 'Consent verified on chain' })).toBeVisible()
    await clinician.getByLabel('Your name and role').fill(CLINICIAN)
    await clinician.getByRole('button', { name: 'Open records' }).click()
    const banner = clinician.getByRole('region', { name: 'Consent verified on chain' })
    await expect(banner).toContainText(terms.patient)
    await expect(banner).toContainText('Granted by the patient (a one-time address)')
    await expect(banner).not.toContainText(patient.address)
    await expect(banner).toContainText('Exactly what the patient consented to share')
    await expect(clinician.getByRole('heading', { name: 'Peanut allergy' })).toBeVisible()
    await expect(share.accessEntries.first()).toContainText(`${CLINICIAN} opened it`)

    // The patient stops sharing, through the sponsor; the clinician's next open shows it revoked.
    await share.stopSharing()
    expect(await statusOfGrant(terms.patient, commitment, terms.validFrom, terms.validUntil)).toBe('revoked')
    await clinician.goto(link)
    await expect(clinician.getByRole('heading', { name: 'Consent revoked' })).toBeVisible()
    await expect(clinician.getByRole('heading', { name: 'Peanut allergy' })).toHaveCount(0)
  } finally {
    await clinicianContext.close()
  }

  // The sponsor paid for both: the patient's account still has nothing and sent nothing, nor did the one-time address.
  expect(await accountOnChain(patient.address)).toEqual({ balance: 0n, nonce: 0 })
  expect(await accountOnChain(terms.patient)).toEqual({ balance: 0n, nonce: 0 })
})

/** The granting (one-time) address in the terms of a CareKey link's grant, read from beside its manifest. */
async function grantAddressOf(link: string): Promise<string> {
  return (await fetchShareGrant(decodeShlink(link).payload)).terms.patient
}
