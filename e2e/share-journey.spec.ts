import { chromium } from '@playwright/test'
import { decodeShlink } from '../src/domain/shl/index.ts'
import { ConsentPage } from './pages/ConsentPage.ts'
import { freshPatient } from './pages/ConsentChain.ts'
import { SharePage } from './pages/SharePage.ts'
import { chromiumArgs, resolveChromium } from '../scripts/lib/browser.ts'
import { expect, test } from './support/fixtures.ts'
import { writeQrVideo } from '../scripts/lib/qr.ts'

const CLINICIAN = 'Dr. Grace Hopper, City Hospital'

test('in the exam room: the patient shows the QR, the clinician scans it and sees exactly what was shared, verified; revoking ends it', async ({
  page,
  baseURL,
}) => {
  test.setTimeout(120_000)
  // The patient, in their own browser.
  const patient = await freshPatient()
  const consent = new ConsentPage(page)
  const share = new SharePage(page)
  await consent.setUpPatient(patient.phrase)
  await consent.startGrant()
  await consent.fill({ categories: ['Allergies', 'Medications'], grantee: 'qr', duration: '24 hours', qr: { label: 'For the exam room' } })
  await consent.review()
  await consent.grantAndConfirm()
  await share.expectReady()

  // The test reads the QR code off the patient's screen and shows it to the clinician's camera.
  const link = await share.decodeQr()
  const video = test.info().outputPath('patient-qr.y4m')
  await writeQrVideo(link, video)
  const clinicianBrowser = await chromium.launch({
    executablePath: resolveChromium().executablePath,
    args: [...chromiumArgs(), '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
  })
  try {
    const clinician = await clinicianBrowser.newPage({ baseURL })
    await clinician.goto('/scan')
    await expect(clinician.getByRole('heading', { name: 'Consent verified on chain' })).toBeVisible({ timeout: 20_000 })
    await clinician.getByLabel('Your name and role').fill(CLINICIAN)
    await clinician.getByRole('button', { name: 'Open records' }).click()

    const banner = clinician.getByRole('region', { name: 'Consent verified on chain' })
    await expect(banner).toContainText(patient.address)
    await expect(banner).toContainText('Treatment (TREAT)')
    await expect(banner).toContainText('Exactly what the patient consented to share')
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

    // The patient stops sharing; the clinician reloads and sees the consent revoked.
    await share.stopSharing()
    await clinician.reload()
    await expect(clinician.getByRole('heading', { name: 'Consent revoked' })).toBeVisible()
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
