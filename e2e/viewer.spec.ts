import type { Page } from '@playwright/test'
import { createPublicClient, http } from 'viem'
import { installStandInWallet } from './support/browserWallet.ts'
import { expect, test } from './support/fixtures.ts'
import { test as ownChainTest } from './support/ownChain.ts'
import { createTestShare, e2eStack, sampleAllergy, sampleLab, sampleMedication } from '../scripts/lib/shares.ts'
import { decodeShlink } from '../src/domain/shl/index.ts'

const CLINICIAN = 'Dr. Ada Lovelace, Riverside Clinic'

test.describe('the clinician opens a shared record', () => {
  test('sees the records with the verified consent, nothing else; after a revocation, the link opened again shows it revoked', async ({ page, checkA11y }) => {
    const share = await createTestShare({ records: [sampleAllergy, sampleMedication] })
    await page.goto(share.link)
    await expect(page.getByRole('heading', { name: 'Consent verified on chain' })).toBeVisible()
    await checkA11y('viewer before opening')
    await page.getByLabel('Your name and role').fill(CLINICIAN)
    await page.getByRole('button', { name: 'Open records' }).click()

    const banner = page.getByRole('region', { name: 'Consent verified on chain' })
    // Plain words first; the addresses, the purpose's code and the transaction under "Technical details".
    await expect(banner.getByRole('definition').filter({ hasText: /^Treatment$/ })).toBeVisible()
    await expect(banner).toContainText('Allergies, Medications')
    await expect(banner).toContainText('Exactly what the patient consented to share')
    const technical = banner.getByTestId('technical-details')
    await expect(technical.getByText(share.patient.address)).toBeHidden()
    await technical.getByText('Technical details').click()
    await expect(technical.getByText(share.patient.address)).toBeVisible()
    await expect(technical).toContainText('TREAT (HL7 purpose of use)')
    await expect(technical.getByTestId('transaction-hash')).toHaveText(/^0x[0-9a-f]{64}$/)
    await expect(page.getByRole('heading', { name: /^Allergies/ })).toBeVisible()
    await expect(page.getByRole('heading', { name: 'Peanut allergy' })).toBeVisible()
    await expect(page.getByRole('heading', { name: 'Metformin 500 mg tablet' })).toBeVisible()
    await expect(page.getByRole('heading', { name: /^Lab results/ })).toHaveCount(0)
    await checkA11y('viewer with records')

    // Nothing the clinician viewed is kept on their device.
    const stored = await page.evaluate(async () => ({ databases: (await indexedDB.databases()).map((d) => d.name), local: localStorage.length }))
    expect(stored).toEqual({ databases: [], local: 0 })

    const download = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Download FHIR JSON' }).click()
    expect((await download).suggestedFilename()).toBe('shared-records.fhir.json')

    await share.revoke()
    await page.goto(share.link)
    await expect(page.getByRole('heading', { name: 'Consent revoked' })).toBeVisible()
    await expect(page.getByRole('heading', { name: 'Peanut allergy' })).toHaveCount(0)
    const manifest = await fetch(manifestUrlOf(share.link), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ recipient: CLINICIAN }),
    })
    expect(manifest.status).toBe(404)
  })

  test('sees who the records are about first, a lab result marked high in words, and a report’s shared results a step away', async ({ page, checkA11y }) => {
    const laboratory = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }]
    const share = await createTestShare({
      scope: { categories: ['labs', 'other'], recordIds: [], actions: ['access'] },
      records: [
        { resourceType: 'Patient', id: 'p-7', name: [{ given: ['Ines'], family: 'Quartermaine' }], birthDate: '1984-11-02', gender: 'female' },
        {
          resourceType: 'DiagnosticReport',
          id: 'r-1',
          status: 'final',
          code: { text: 'Lipid panel' },
          effectiveDateTime: '2025-06-01',
          result: [{ reference: 'Observation/ldl-1' }, { reference: 'Observation/hdl-1' }],
        },
        {
          resourceType: 'Observation',
          id: 'ldl-1',
          status: 'final',
          category: laboratory,
          code: { coding: [{ system: 'http://loinc.org', code: '2089-1', display: 'Cholesterol in LDL [Mass/volume] in Serum or Plasma' }] },
          effectiveDateTime: '2025-06-01',
          valueQuantity: { value: 4.2, unit: 'mmol/L' },
          referenceRange: [{ high: { value: 3, unit: 'mmol/L' } }],
        },
      ],
    })
    await page.goto(share.link)
    await page.getByLabel('Your name and role').fill(CLINICIAN)
    await page.getByRole('button', { name: 'Open records' }).click()

    const about = page.getByRole('region', { name: 'About the patient' })
    await expect(about.getByRole('heading', { name: 'Ines Quartermaine' })).toBeVisible()
    await expect(about).toContainText('Born 2 Nov 1984 · Female')
    await expect(page.getByRole('heading', { name: /^Other/ })).toHaveCount(0)
    await expect(page.getByText('outside the consented categories')).toHaveCount(0)
    const results = page.getByRole('list', { name: 'Results of Lipid panel' })
    await expect(results.getByRole('button')).toHaveText(['Cholesterol in LDL4.2 mmol/L · High (normal ≤ 3 mmol/L)'])
    await expect(page.getByText('One of its results is not in this share.')).toBeVisible()
    await checkA11y('viewer with the patient and a report')
    await results.getByRole('button', { name: /^Cholesterol in LDL/ }).click()
    await expect(page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Cholesterol in LDL', level: 3 }) })).toBeFocused()
  })

  test('the link leaves the address and the history at once; Back, Forward and reload never show it', async ({ page, checkA11y }) => {
    const { baseUrl } = e2eStack()
    const share = await createTestShare()
    const { key } = decodeShlink(share.link).payload
    await page.goto(`${baseUrl}/scan`)
    await page.goto(share.link)
    await expect(page.getByRole('heading', { name: 'Consent verified on chain' })).toBeVisible()
    expect(page.url()).toBe(`${baseUrl}/view`)
    await page.getByLabel('Your name and role').fill(CLINICIAN)
    await page.getByRole('button', { name: 'Open records' }).click()
    await expect(page.getByRole('heading', { name: 'Peanut allergy' })).toBeVisible()

    // Not in any entry of the session history, nor anywhere the page can store things.
    expect(await historyUrls(page)).toEqual(expect.not.arrayContaining([expect.stringContaining('shlink')]))
    expect(await historyUrls(page)).toContain(`${baseUrl}/view`)
    const stored = await page.evaluate(async () => {
      const cached = await Promise.all((await caches.keys()).map(async (name) => (await (await caches.open(name)).keys()).map((r) => r.url)))
      return JSON.stringify({ session: { ...sessionStorage }, local: { ...localStorage }, cached, title: document.title })
    })
    expect(stored).not.toContain('shlink')
    expect(stored).not.toContain(key)
    // The browser keeps titles in its history on disk: the patient's label for the link stays out of it.
    expect(await page.title()).toBe('Shared health records · CareKey')

    await page.goBack()
    expect(await page.evaluate(() => location.href)).toBe(`${baseUrl}/scan`)
    await page.goForward()
    expect(await page.evaluate(() => location.href)).toBe(`${baseUrl}/view`)

    await page.reload()
    await expect(page.getByRole('heading', { name: 'Open the link again or scan the QR code' })).toBeVisible()
    await expect(page.getByRole('heading', { name: 'Peanut allergy' })).toHaveCount(0)
    await checkA11y('viewer after a reload')
    await page.getByRole('link', { name: 'Scan the consent QR code' }).click()
    await expect(page).toHaveURL(`${baseUrl}/scan`)
  })

  test('a revocation while the records are open replaces them with the revoked state', async ({ page }) => {
    const share = await createTestShare()
    await page.clock.install()
    await page.goto(share.link)
    await page.getByLabel('Your name and role').fill(CLINICIAN)
    await page.getByRole('button', { name: 'Open records' }).click()
    await expect(page.getByRole('heading', { name: 'Peanut allergy' })).toBeVisible()
    await share.revoke()
    await page.clock.fastForward('00:20')
    await expect(page.getByRole('heading', { name: 'Consent revoked' })).toBeVisible()
    await expect(page.getByText('The records you opened earlier are no longer shown.')).toBeVisible()
  })

  test('a clinician with a browser wallet can prove their address; the patient’s access log shows it verified', async ({ page }) => {
    // anvil's third development account, unlocked on the chain, so the stand-in wallet can sign with it.
    const clinicianAddress = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'
    await installStandInWallet(page, { name: 'Clinic Wallet', address: clinicianAddress })
    const share = await createTestShare()
    await page.goto(share.link)
    await page.getByLabel('Your name and role').fill(CLINICIAN)
    await page.getByRole('checkbox', { name: 'Prove my address to the patient with Clinic Wallet' }).check()
    await page.getByRole('button', { name: 'Open records' }).click()
    await expect(page.getByRole('heading', { name: 'Peanut allergy' })).toBeVisible()

    const { entries } = await share.accessLog()
    expect(entries).toEqual([expect.objectContaining({ recipient: CLINICIAN, verifiedAddress: clinicianAddress })])
  })

  test('a wrong passcode shows the attempts left; after the limit the clinician is told the link is locked and the patient must make a new QR code', async ({
    page,
  }) => {
    const share = await createTestShare({ passcode: '246810' })
    await page.goto(share.link)
    await page.getByLabel('Your name and role').fill(CLINICIAN)
    const passcode = page.getByLabel('Passcode')
    const open = page.getByRole('button', { name: 'Open records' })
    await passcode.fill('000000')
    await open.click()
    // The viewer's alert region (for a red state) is on the page too, empty: each alert is found by its words.
    const wrong = page.getByRole('alert').filter({ hasText: /That passcode is not right\. \d+ attempts? left\./ })
    await expect(wrong).toBeVisible()
    const left = Number((await wrong.textContent())?.match(/(\d+) attempts? left/)?.[1])
    expect(left).toBeGreaterThan(0)
    for (let i = 0; i < left; i++) {
      await passcode.fill(`11111${i}`)
      await open.click()
      await expect(page.getByRole('alert').filter({ hasText: i + 1 < left ? `${left - i - 1} attempt` : 'locked this link for good' })).toBeVisible()
    }
    const locked = page.getByRole('alert').filter({ has: page.getByRole('heading', { name: 'This QR code is locked' }) })
    await expect(locked).toContainText('Ask the patient to make a new consent QR code.')
    // Not under a green "verified" box, and not "the consent may have ended".
    await expect(page.getByRole('heading', { name: 'Consent verified on chain' })).toHaveCount(0)

    // Opened again, even with the right passcode: the host says it is locked, and so does the viewer.
    await page.goto(share.link)
    await page.getByLabel('Your name and role').fill(CLINICIAN)
    await page.getByLabel('Passcode').fill('246810')
    await page.getByRole('button', { name: 'Open records' }).click()
    await expect(locked).toContainText('Too many wrong passcodes were typed, so the share host locked this link for good.')
    await expect(locked).toContainText('Ask the patient to make a new consent QR code.')
    await expect(locked).not.toContainText('no longer active')
    await expect(page.getByRole('heading', { name: 'Consent verified on chain' })).toHaveCount(0)
  })

  test('the right passcode opens the share', async ({ page }) => {
    const share = await createTestShare({ passcode: '246810', bearer: true, records: [sampleLab], scope: { categories: ['labs'], recordIds: [], actions: ['access'] } })
    await page.goto(share.link)
    await expect(page.getByRole('region', { name: 'Consent verified on chain' })).toContainText('Whoever the patient shows this QR code to')
    await page.getByLabel('Your name and role').fill(CLINICIAN)
    await page.getByLabel('Passcode').fill('246810')
    await page.getByRole('button', { name: 'Open records' }).click()
    await expect(page.getByRole('heading', { name: 'Hemoglobin A1c' })).toBeVisible()
  })

  test('data that does not match the consent is shown as tampered, not as records', async ({ page }) => {
    const share = await createTestShare({ tamper: true })
    await page.goto(share.link)
    await page.getByLabel('Your name and role').fill(CLINICIAN)
    await page.getByRole('button', { name: 'Open records' }).click()
    await expect(page.getByRole('heading', { name: 'The shared data does not match the consent' })).toBeVisible()
    await expect(page.getByText('Pollen')).toHaveCount(0)
  })

  ownChainTest('an expired consent is shown as expired', async ({ page, ownChain }) => {
    const share = await createTestShare({ hours: 1 }, ownChain.stack)
    await page.goto(share.link)
    await expect(page.getByRole('heading', { name: 'Consent verified on chain' })).toBeVisible()
    // Past the grant's end, on this test's own chain.
    const moved = await ownChain.clock.advance(3_700)
    // A reload forgets the link (it lives in the tab's memory only): the clinician opens it again.
    await page.goto('/scan')
    await page.goto(share.link)
    await expect(page.getByRole('heading', { name: 'Consent expired' })).toBeVisible()
    // The chain the other tests share kept its time.
    const shared = createPublicClient({ transport: http(e2eStack().rpcUrl) })
    expect((await shared.getBlock()).timestamp).toBeLessThan(moved - 3_600n)
  })

  test('checks the consent on chain before it asks for the passcode, having read the grant beside the manifest without it', async ({ page }) => {
    const share = await createTestShare({ passcode: '246810' })
    // The share host's routes (the app may be served from the same origin).
    const toShareHost: string[] = []
    page.on('request', (request) => {
      const url = new URL(request.url())
      if (request.url().startsWith(e2eStack().shareHostUrl) && /^\/(shl|api)\//.test(url.pathname)) toShareHost.push(`${request.method()} ${url.pathname}`)
    })
    await page.goto(share.link)
    await expect(page.getByRole('heading', { name: 'Consent verified on chain' })).toBeVisible()
    await expect(page.getByRole('heading', { name: 'Shared records', level: 1 })).toBeVisible()
    await expect(page.getByLabel('Passcode')).toBeVisible()
    const shareId = new URL(manifestUrlOf(share.link)).pathname.split('/').pop() ?? ''
    expect(toShareHost).toEqual([`GET /shl/${shareId}/grant`])
    expect((await share.accessLog()).entries).toEqual([])
  })

  test('a link made before the grant moved to the share host, which carries it, still opens verified', async ({ page }) => {
    const share = await createTestShare({ grantInLink: true, passcode: '246810' })
    expect(share.link.length).toBeGreaterThan(600)
    await page.goto(share.link)
    await expect(page.getByRole('region', { name: 'Consent verified on chain' })).toContainText(share.patient.address)
    await page.getByLabel('Your name and role').fill(CLINICIAN)
    await page.getByLabel('Passcode').fill('246810')
    await page.getByRole('button', { name: 'Open records' }).click()
    await expect(page.getByRole('heading', { name: 'Peanut allergy' })).toBeVisible()
  })

  test('a grant changed at the share host, or missing there, is refused before anything is asked', async ({ page }) => {
    const share = await createTestShare()
    const grantUrl = `${manifestUrlOf(share.link)}/grant`
    const genuine = await (await fetch(grantUrl)).text()
    const parts = genuine.split('.')
    const ciphertext = Buffer.from(parts[3] ?? '', 'base64url')
    ciphertext[0] = (ciphertext[0] ?? 0) ^ 1
    const changed = [...parts.slice(0, 3), ciphertext.toString('base64url'), ...parts.slice(4)].join('.')
    await page.route(grantUrl, (route) => route.fulfill({ status: 200, contentType: 'application/jose', body: changed }))
    await page.goto(share.link)
    await expect(page.getByRole('heading', { name: 'The consent could not be read' })).toBeVisible()
    await expect(page.getByRole('alert').first()).toContainText('the key does not open it, or it was changed')
    await expect(page.getByLabel('Your name and role')).toHaveCount(0)

    await page.unroute(grantUrl)
    await page.route(grantUrl, (route) => route.fulfill({ status: 404, contentType: 'application/json', body: '{"error":"not_found"}' }))
    await page.goto('/scan')
    await page.goto(share.link)
    await expect(page.getByRole('alert').first()).toContainText('The consent behind this link is not at its share host')
    await expect(page.getByLabel('Your name and role')).toHaveCount(0)
  })

  test('a link whose terms were changed is unknown on chain', async ({ page }) => {
    const share = await createTestShare({ grantInLink: true })
    const [viewer, encoded] = share.link.split('#shlink:/')
    const payload = JSON.parse(Buffer.from(encoded ?? '', 'base64url').toString()) as { _ck: string }
    const ck = Buffer.from(payload._ck, 'base64url')
    ck[ck.length - 1] = (ck[ck.length - 1] ?? 0) ^ 1 // one bit of the salt
    payload._ck = ck.toString('base64url')
    await page.goto(`${viewer}#shlink:/${Buffer.from(JSON.stringify(payload)).toString('base64url')}`)
    await expect(page.getByRole('heading', { name: 'Consent unknown on chain' })).toBeVisible()
  })

  test('a malformed link and an unreachable share host are explained', async ({ page, checkA11y }) => {
    const { baseUrl } = e2eStack()
    await page.goto(`${baseUrl}/view#shlink:/not-base64-json`)
    await expect(page.getByRole('heading', { name: 'The link is malformed' })).toBeVisible()
    expect(page.url()).toBe(`${baseUrl}/view`)
    await checkA11y('malformed link')

    const share = await createTestShare()
    // The share host's routes only: the app is served from the same origin.
    const shlRoutes = `${e2eStack().shareHostUrl}/shl/**`
    await page.route(shlRoutes, (route) => route.abort('connectionrefused'))
    await page.goto(share.link)
    // The grant cannot be read: said, with a way to try again.
    await expect(page.getByRole('alert').first()).toContainText('The share host cannot be reached right now.')
    await checkA11y('grant unreadable')
    await page.unroute(shlRoutes)
    await page.getByRole('button', { name: 'Try again' }).click()
    await expect(page.getByRole('heading', { name: 'Consent verified on chain' })).toBeVisible()

    // Then the manifest cannot be fetched.
    await page.route(shlRoutes, (route) => route.abort('connectionrefused'))
    await page.getByLabel('Your name and role').fill(CLINICIAN)
    await page.getByRole('button', { name: 'Open records' }).click()
    await expect(page.getByRole('alert').filter({ hasText: 'The share host cannot be reached right now.' })).toBeVisible()
  })

  test('a share host that does not answer in time is explained', async ({ page }) => {
    const share = await createTestShare()
    await page.clock.install()
    // The share host hands out the grant, then takes the manifest request and never answers.
    const asked = new Promise<void>(
      (resolve) => void page.route(`${e2eStack().shareHostUrl}/shl/**`, (route) => (route.request().method() === 'POST' ? resolve() : route.continue())),
    )
    await page.goto(share.link)
    await page.getByLabel('Your name and role').fill(CLINICIAN)
    await page.getByRole('button', { name: 'Open records' }).click()
    await asked
    await page.clock.fastForward('00:16')
    await expect(page.getByRole('alert').filter({ hasText: 'The share host did not answer in time (within 15 seconds).' })).toBeVisible()
    await expect(page.getByRole('button', { name: 'Open records' })).toBeEnabled()
  })

  test('a SMART Health Link from another app opens with a notice that it cannot be checked on chain', async ({ page }) => {
    const share = await createTestShare()
    const [viewer, encoded] = share.link.split('#shlink:/')
    const { _ck: _dropped, ...plain } = JSON.parse(Buffer.from(encoded ?? '', 'base64url').toString()) as Record<string, unknown>
    await page.goto(`${viewer}#shlink:/${Buffer.from(JSON.stringify(plain)).toString('base64url')}`)
    await expect(page.getByText('This link carries no CareKey consent, so it cannot be checked on chain.')).toBeVisible()
    await page.getByLabel('Your name and role').fill(CLINICIAN)
    await page.getByRole('button', { name: 'Open records' }).click()
    await expect(page.getByRole('heading', { name: 'Peanut allergy' })).toBeVisible()
  })
})

function manifestUrlOf(link: string): string {
  const encoded = link.split('#shlink:/')[1] ?? ''
  return (JSON.parse(Buffer.from(encoded, 'base64url').toString()) as { url: string }).url
}

/** The address of every entry in the page's session history (what Back and Forward can reach). */
async function historyUrls(page: Page): Promise<string[]> {
  const session = await page.context().newCDPSession(page)
  try {
    const { entries } = await session.send('Page.getNavigationHistory')
    return entries.map((e) => e.url)
  } finally {
    await session.detach()
  }
}
