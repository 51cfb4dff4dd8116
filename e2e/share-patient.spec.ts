import type { Bundle } from '@medplum/fhirtypes'
import { grantCommitment } from '../src/domain/consent/index.ts'
import { decodeShlink, decryptShareFile, readCareKeyExtension } from '../src/domain/shl/index.ts'
import { fetchShareGrant } from '../src/shareHost/client.ts'
import { utf8 } from '../src/domain/crypto/bytes.ts'
import { ConsentPage } from './pages/ConsentPage.ts'
import { freshPatient, grantKeyAddress, statusOfGrant } from './pages/ConsentChain.ts'
import { SharePage } from './pages/SharePage.ts'
import { expect, test } from './support/fixtures.ts'

const shareHost = () => process.env.CAREKEY_E2E_SHARE_HOST_URL ?? ''

/** What a viewer sends the share host for a link's manifest (SMART Health Links `POST`). */
async function requestManifest(url: string, body: Record<string, unknown>) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return { status: response.status, json: (await response.json()) as { files?: { contentType: string; embedded?: string }[]; remainingAttempts?: number } }
}

test('granting with a consent QR code: the QR holds a viewer link whose manifest the host serves; opens appear in the access log; stop sharing ends it', async ({
  page,
  context,
  checkA11y,
  baseURL,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'])
  const patient = await freshPatient()
  const consent = new ConsentPage(page)
  const share = new SharePage(page)
  await consent.setUpPatient(patient.phrase)

  await consent.startGrant()
  await consent.fill({ categories: ['Allergies', 'Medications'], grantee: 'qr', duration: '24 hours', qr: { label: 'For the emergency room' } })
  await consent.review()
  await expect(page.getByTestId('grant-review')).toContainText('Whoever you show the QR code to')
  await expect(consent.grantButton).toHaveText('Grant consent and make QR code')
  await consent.grantAndConfirm()
  await share.expectReady()
  await checkA11y('consent QR screen')

  // The QR code as a camera would read it.
  const link = await share.decodeQr()
  expect(link).toBe(await share.linkText())
  const { payload, viewerUrl } = decodeShlink(link)
  expect(viewerUrl).toBe(`${baseURL}/view`)
  expect(link.startsWith(`${baseURL}/view#shlink:/`)).toBe(true)
  expect(payload.url).toMatch(new RegExp(`^${shareHost()}/shl/[A-Za-z0-9_-]{43}$`))
  expect(payload.url.length).toBeLessThanOrEqual(128)
  expect(payload.flags).toEqual(['L'])
  // A short link: no terms, label or expiry in it, a small QR code.
  expect(readCareKeyExtension(payload)).toEqual({ grant: 'at-host' })
  expect([payload.label, payload.exp]).toEqual([undefined, undefined])
  expect(await share.qrVersion()).toBeLessThanOrEqual(11)
  // The grant is beside the manifest, read with the link's key and no passcode.
  const carekey = await fetchShareGrant(payload)
  expect(carekey.label).toBe('For the emergency room')
  // The granting address in the terms is the grant's own fresh address, not the patient's account.
  expect(carekey.terms.patient).toBe(grantKeyAddress(patient.phrase, 0))
  expect(carekey.bearerSecret).toMatch(/^0x[0-9a-f]{64}$/)

  // Any viewer can fetch the manifest and decrypt exactly what was chosen.
  const manifest = await requestManifest(payload.url, { recipient: 'Dr. Emergency' })
  expect(manifest.status).toBe(200)
  const jwe = manifest.json.files?.[0]?.embedded ?? ''
  const { plaintext } = await decryptShareFile(jwe, payload.key)
  const bundle = JSON.parse(utf8.decode(plaintext)) as Bundle
  expect(bundle.entry?.map((e) => e.resource?.resourceType).sort()).toEqual([
    'AllergyIntolerance',
    'AllergyIntolerance',
    'Consent',
    'MedicationStatement',
    'MedicationStatement',
  ])

  // The patient sees the open within seconds.
  await expect(share.accessEntries.first()).toContainText('Dr. Emergency opened it')
  await expect(page.getByTestId('access-summary')).toHaveText('Opened once.')

  // Full screen, high contrast, closes with Escape.
  await page.getByRole('button', { name: 'Show full screen' }).click()
  const dialog = page.getByRole('dialog', { name: 'Consent QR code, full screen' })
  await expect(dialog).toBeVisible()
  await checkA11y('full-screen QR')
  await page.keyboard.press('Escape')
  await expect(dialog).toBeHidden()

  await page.getByRole('button', { name: 'Copy link' }).click()
  await expect(page.getByText('Copied')).toBeVisible()
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link)

  // The manifest shortcut goes straight to it.
  await page.goto('/share')
  await consent.wallet.unlock('correct horse battery staple')
  await share.expectReady()

  await share.stopSharing()
  await expect(share.status).toHaveText('Stopped')
  await expect(share.qr).toHaveCount(0)
  expect((await requestManifest(payload.url, { recipient: 'Dr. Emergency' })).status).toBe(404)
  const commitment = grantCommitment(carekey.terms, { chainId: carekey.chainId, registry: carekey.registry })
  expect(await statusOfGrant(carekey.terms.patient, commitment, carekey.terms.validFrom, carekey.terms.validUntil)).toBe('revoked')

  await share.openFromNavigation()
  await expect(page.getByText('You have no consent QR code to show right now.')).toBeVisible()
  // The earlier QR code says it is stopped, with its label and when it was made.
  const earlier = page.getByTestId('earlier-share')
  await expect(earlier).toHaveCount(1)
  await expect(earlier).toContainText('For the emergency room')
  await expect(earlier).toContainText(/Made \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}/)
  await expect(consent.status(earlier)).toHaveText('Stopped')
  await checkA11y('no consent QR')
})

test('a consent QR code with a passcode, for a named clinician', async ({ page }) => {
  const patient = await freshPatient()
  const consent = new ConsentPage(page)
  const share = new SharePage(page)
  await consent.setUpPatient(patient.phrase)

  await consent.startGrant()
  await consent.fill({ records: ['Peanut allergy'], grantee: '0x90F79bf6EB2c4f870365E785982E1f101E93b906', name: 'Dr. Passcode', qr: { passcode: 'tulip-7781' } })
  await consent.review()
  await consent.grantAndConfirm()
  await share.expectReady()

  await expect(page.getByTestId('share-passcode')).toHaveText('••••••••••')
  await page.getByRole('button', { name: 'Show', exact: true }).click()
  await expect(page.getByTestId('share-passcode')).toHaveText('tulip-7781')

  const link = await share.decodeQr()
  expect(link).not.toContain('tulip')
  const { payload } = decodeShlink(link)
  expect(payload.flags).toEqual(['L', 'P'])
  const without = await requestManifest(payload.url, { recipient: 'Dr. Passcode' })
  expect(without.status).toBe(401)
  const wrong = await requestManifest(payload.url, { recipient: 'Dr. Guess', passcode: '0000' })
  expect(wrong.status).toBe(401)
  expect(wrong.json.remainingAttempts).toBeGreaterThan(0)
  const right = await requestManifest(payload.url, { recipient: 'Dr. Passcode', passcode: 'tulip-7781' })
  expect(right.status).toBe(200)
  const { plaintext } = await decryptShareFile(right.json.files?.[0]?.embedded ?? '', payload.key)
  const bundle = JSON.parse(utf8.decode(plaintext)) as Bundle
  expect(bundle.entry?.map((e) => e.resource?.resourceType)).toEqual(['Consent', 'AllergyIntolerance'])

  await expect(share.accessEntries.filter({ hasText: 'Dr. Guess tried a wrong passcode' })).toHaveCount(1)
  await expect(share.accessEntries.filter({ hasText: 'Dr. Passcode opened it' })).toHaveCount(1)

  await share.stopSharing()
  expect((await requestManifest(payload.url, { recipient: 'Dr. Passcode', passcode: 'tulip-7781' })).status).toBe(404)
})

test('when the share host fails midway: the recorded consent is never left unexplained; the upload is retried; a stop that cannot reach the host still closes the link', async ({
  page,
}) => {
  const patient = await freshPatient()
  const consent = new ConsentPage(page)
  const share = new SharePage(page)
  await consent.setUpPatient(patient.phrase)

  const api = `${shareHost()}/api/shares**`
  await page.route(api, (route) => route.abort('connectionrefused'))
  await consent.startGrant()
  await consent.fill({ categories: ['Allergies'], grantee: 'qr', qr: {} })
  await consent.review()
  await consent.grantAndConfirm()
  await expect(page.getByRole('alert').filter({ hasText: 'The share host cannot be reached right now.' })).toBeVisible()
  await expect(page.getByText('Your consent is recorded and active, but the QR code does not work until the upload succeeds.')).toBeVisible()
  await expect(page.getByRole('button', { name: 'Revoke the consent instead' })).toBeVisible()
  await expect(share.qr).toHaveCount(0)

  await page.unroute(api)
  await page.getByRole('button', { name: 'Try the upload again' }).click()
  await share.expectReady()
  const { payload } = decodeShlink(await share.decodeQr())
  expect((await requestManifest(payload.url, { recipient: 'Dr. Retry' })).status).toBe(200)

  await page.route(api, (route) => (route.request().method() === 'DELETE' ? route.abort('connectionrefused') : route.continue()))
  await page.getByRole('button', { name: 'Stop sharing', exact: true }).click()
  await page.getByRole('button', { name: 'Yes, stop sharing' }).click()
  await expect(page.getByRole('alert').filter({ hasText: 'Your consent is revoked, so the link no longer opens.' })).toBeVisible({ timeout: 20_000 })
  await expect(share.status).toHaveText('Stopped')
  await expect(page.getByTestId('share-status-description')).toHaveText(
    'You revoked its consent, so this QR code no longer opens. Copies already downloaded stay with whoever downloaded them.',
  )
  // The green "recorded" banner goes with the consent.
  await expect(consent.progress).toHaveCount(0)
  expect((await requestManifest(payload.url, { recipient: 'Dr. Retry' })).status).toBe(404)

  await page.unroute(api)
  await page.getByRole('button', { name: 'Delete the copy at the share host' }).click()
  await expect(page.getByText(/^Sharing stopped/)).toBeVisible()
  await expect(share.status).toHaveText('Stopped')
})

test('the consent QR screen works on a 360 px wide phone', async ({ page, checkA11y }) => {
  await page.setViewportSize({ width: 360, height: 740 })
  const patient = await freshPatient()
  const consent = new ConsentPage(page)
  const share = new SharePage(page)
  await consent.setUpPatient(patient.phrase)
  await consent.startGrant()
  await consent.fill({ categories: ['Medications'], grantee: 'qr', qr: {} })
  await consent.review()
  await consent.grantAndConfirm()
  await share.expectReady()
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0)
  const box = await share.qr.boundingBox()
  expect(box?.width).toBeGreaterThan(250)
  await checkA11y('consent QR screen at 360 px')
})
