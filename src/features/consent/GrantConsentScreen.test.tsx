// @vitest-environment jsdom
import { act, cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { QueryClient, QueryClientProvider, useMutation } from '@tanstack/react-query'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { hasDirtyForms } from '../../platform/dirtyForms.ts'
import { renderInRouter } from '../../test/renderInRouter.tsx'
import type * as Records from '../records/index.ts'
import type { RecordSummaryView } from '../records/index.ts'
import type * as Wallet from '../wallet/index.ts'
import type * as Hooks from './hooks.ts'
import type * as ShareRecords from './shareRecords.ts'
import { GrantConsentScreen } from './GrantConsentScreen.tsx'
import { prepareGrant, type GrantPreparation } from './prepareGrant.ts'

/**
 * The stepped grant screen as a patient goes through it: the wallet's signing account, its
 * records and the records' contents are stand-ins; preparing the grant (terms, FHIR Consent,
 * the encrypted share) is the real thing, so the review shows what would be signed.
 */
const patient = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
const clinician = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const summaries: RecordSummaryView[] = [
  { id: 'r-1', category: 'allergies', title: 'Peanut allergy', date: '2019-04-02', detail: undefined, resourceType: 'AllergyIntolerance' },
  { id: 'r-2', category: 'medications', title: 'Salbutamol inhaler', date: undefined, detail: undefined, resourceType: 'MedicationStatement' },
  { id: 'r-3', category: 'conditions', title: 'Asthma', date: undefined, detail: undefined, resourceType: 'Condition' },
]

vi.mock('./hooks.ts', async (importOriginal) => ({
  ...(await importOriginal<typeof Hooks>()),
  useSigningAccount: () => ({ address: patient, chainId: 31337, isLocalWallet: true }),
  usePrepareGrant: () => useMutation({ mutationFn: (p: Omit<GrantPreparation, 'grantKeyIndex'>) => prepareGrant({ ...p, grantKeyIndex: 0 }) }),
  useSendGrant: () => useMutation({ mutationFn: () => Promise.reject(new Error('not sent in this test')) }),
  useNow: () => new Date(),
}))
vi.mock('../records/index.ts', async (importOriginal) => ({
  ...(await importOriginal<typeof Records>()),
  useRecordSummaries: () => ({ data: summaries, isPending: false, error: null }),
}))
vi.mock('../wallet/index.ts', async (importOriginal) => ({ ...(await importOriginal<typeof Wallet>()), useWalletKeys: () => ({}) }))
vi.mock('./shareRecords.ts', async (importOriginal) => ({
  ...(await importOriginal<typeof ShareRecords>()),
  readShareRecords: (_keys: unknown, ids: readonly string[]) =>
    Promise.resolve(ids.map((id) => ({ id, resource: { resourceType: 'Basic', id, code: { text: id } } }))),
}))
vi.mock('../scan/index.ts', () => ({ QrScanner: () => null }))

afterEach(cleanup)

// jsdom's own Uint8Array is not the one Node's WebCrypto makes (see wipeOnLock.test.tsx): the share is encrypted for real.
const jsdomUint8Array = globalThis.Uint8Array
beforeAll(() => {
  globalThis.Uint8Array = Object.getPrototypeOf(Buffer) as Uint8ArrayConstructor
})
afterAll(() => {
  globalThis.Uint8Array = jsdomUint8Array
})

async function openGrantScreen() {
  const user = userEvent.setup()
  const { history } = await renderInRouter(
    <QueryClientProvider client={new QueryClient()}>
      <GrantConsentScreen />
    </QueryClientProvider>,
    ['/consent'],
  )
  return Object.assign(user, { history })
}

/** The step's heading, which must hold the focus once the patient moves to it; its name is 'Step 2 of 5: Who may see it'. */
const stepHeading = () => screen.getByTestId('grant-step')
const stepName = () => stepHeading().getAttribute('aria-label')
const next = (user: ReturnType<typeof userEvent.setup>) => user.click(screen.getByRole('button', { name: 'Next' }))

// Many clicks through a whole screen in jsdom: slow on a busy machine, which is not what these tests measure.
describe('granting a consent in steps', { timeout: 30_000 }, () => {
  it('takes the common case in four taps: all my records, whoever I show the QR code to, treatment, 24 hours', async () => {
    const user = await openGrantScreen()
    expect(stepName()).toBe('Step 1 of 5: What to share')
    expect(screen.getByRole('radio', { name: /^All my records/ })).toHaveProperty('checked', true)
    expect(screen.getByRole('radio', { name: /^All my records/ }).closest('label')?.textContent).toContain('3 records now')

    await next(user)
    expect(stepName()).toBe('Step 2 of 5: Who may see it')
    expect(document.activeElement).toBe(stepHeading())
    expect(screen.getByRole('radio', { name: /^Whoever I show the QR code to/ })).toHaveProperty('checked', true)

    await next(user)
    expect(stepName()).toBe('Step 3 of 5: Why')
    expect(document.activeElement).toBe(stepHeading())
    expect(screen.getByRole('radio', { name: /^Treatment/ })).toHaveProperty('checked', true)

    await next(user)
    expect(stepName()).toBe('Step 4 of 5: For how long')
    expect(screen.getByRole('radio', { name: '24 hours' })).toHaveProperty('checked', true)

    await user.click(screen.getByRole('button', { name: 'Review' }))
    const review = await screen.findByTestId('grant-review')
    expect(stepName()).toBe('Step 5 of 5: Review your consent')
    expect(document.activeElement).toBe(stepHeading())
    expect(review.textContent).toContain('All your records (3 records now)')
    expect(review.textContent).toContain('Whoever you show the QR code to')
    expect(review.textContent).toContain('Treatment')
    expect(review.textContent).not.toContain('TREAT)')
    // The end as the timeline writes dates, never ISO.
    expect(review.textContent).toMatch(/\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} \(in 24 hours\)/)
    expect(review.textContent).not.toMatch(/\d{4}-\d{2}-\d{2}T/)
    expect(screen.getByRole('button', { name: 'Grant consent and make QR code' })).toBeTruthy()
    // The fresh address and fingerprint are there for whoever looks, under Technical details.
    expect(within(screen.getByTestId('public-on-chain')).getByTestId('review-fingerprint').textContent).toMatch(/^0x[0-9a-f]{64}$/)
    expect(screen.getByTestId('public-on-chain').querySelector('details')?.open).toBe(false)
  })

  it('checks each step before Next, and keeps every answer through Back and Next', async () => {
    const user = await openGrantScreen()
    await user.click(screen.getByRole('radio', { name: /^Some categories/ }))
    await next(user)
    expect(stepName()).toContain('Step 1 of 5')
    expect(screen.getAllByText('Choose at least one category to share.').length).toBeGreaterThan(0)
    await user.click(within(screen.getByRole('group', { name: 'Categories' })).getByRole('checkbox', { name: /^Allergies/ }))
    await next(user)

    expect(stepName()).toContain('Step 2 of 5')
    await user.click(screen.getByRole('radio', { name: /^A clinician's address/ }))
    await user.click(screen.getByLabelText('Their name (optional)'))
    await user.paste('Dr. Ada Lee')
    await next(user)
    expect(stepName()).toContain('Step 2 of 5')
    expect(screen.getByLabelText('Their account address').getAttribute('aria-invalid')).toBe('true')
    await user.click(screen.getByLabelText('Their account address'))
    await user.paste(clinician)
    await next(user)
    expect(stepName()).toContain('Step 3 of 5')
    expect(hasDirtyForms()).toBe(true)

    await user.click(screen.getByRole('button', { name: 'Back' }))
    expect(stepName()).toContain('Step 2 of 5')
    expect(document.activeElement).toBe(stepHeading())
    expect(screen.getByLabelText('Their account address')).toHaveProperty('value', clinician)
    expect(screen.getByLabelText('Their name (optional)')).toHaveProperty('value', 'Dr. Ada Lee')
    await user.click(screen.getByRole('button', { name: 'Back' }))
    expect(screen.getByRole('radio', { name: /^Some categories/ })).toHaveProperty('checked', true)
    expect(within(screen.getByRole('group', { name: 'Categories' })).getByRole('checkbox', { name: /^Allergies/ })).toHaveProperty('checked', true)

    for (let i = 0; i < 3; i++) await next(user)
    await user.click(screen.getByRole('button', { name: 'Review' }))
    const review = await screen.findByTestId('grant-review')
    expect(review.textContent).toContain('All your allergies (1 record now)')
    expect(review.textContent).toContain('Dr. Ada Lee')
  })

  it('offers four purposes in plain words first, the others behind More purposes, and the code only in a disclosure', async () => {
    const user = await openGrantScreen()
    await next(user)
    await next(user)
    const radios = () => screen.getAllByRole('radio', { name: /./ }).filter((r) => r.getAttribute('name') === 'purpose')
    const visible = (r: HTMLElement) => r.closest('details')?.open !== false
    expect(
      radios()
        .filter(visible)
        .map((r) => r.closest('label')?.querySelector('span span')?.textContent),
    ).toEqual(['Treatment', 'Emergency care', 'Coordinating my care', 'Someone who cares for me'])
    expect(radios()).toHaveLength(12)
    for (const radio of radios()) expect(radio.closest('label')?.textContent).not.toMatch(/\b(TREAT|PWATRNY|ETREAT)\b/)

    await user.click(screen.getByText('More purposes'))
    await user.click(screen.getByRole('radio', { name: /^Power of attorney/ }))
    expect(screen.getByTestId('purpose-code').textContent).toBe('PWATRNY')
    expect(screen.getByTestId('purpose-code').closest('details')?.open).toBe(false)

    // Back and Next again: the choice behind More purposes is still chosen, and shown.
    await user.click(screen.getByRole('button', { name: 'Back' }))
    await next(user)
    expect(screen.getByRole('radio', { name: /^Power of attorney/ })).toHaveProperty('checked', true)
    expect(screen.getByText('More purposes').closest('details')?.open).toBe(true)
  })

  it('shares who the records are about with a part of them, and leaves that person out of the records to pick', async () => {
    const person: RecordSummaryView = { id: 'r-0', category: 'other', title: 'Ines Quartermaine', date: undefined, detail: undefined, resourceType: 'Patient' }
    summaries.push(person)
    try {
      const user = await openGrantScreen()
      await user.click(screen.getByRole('radio', { name: /^Records I pick/ }))
      const choices = within(screen.getByRole('list', { name: 'Records to choose from' }))
      expect(choices.queryByRole('checkbox', { name: /Ines Quartermaine/ })).toBeNull()
      await user.click(choices.getByRole('checkbox', { name: /^Asthma/ }))
      const aboutYou = screen.getByRole('checkbox', { name: /^Who these records are about/ })
      expect(aboutYou).toHaveProperty('checked', true)
      expect(aboutYou.closest('label')?.textContent).toContain('Ines Quartermaine')

      for (let i = 0; i < 3; i++) await next(user)
      await user.click(screen.getByRole('button', { name: 'Review' }))
      const review = await screen.findByTestId('grant-review')
      expect(review.textContent).toContain('Who the records are about (Ines Quartermaine)')
      expect(review.textContent).toContain('Asthma')

      // Unticked: the review no longer lists them.
      for (let i = 0; i < 4; i++) await user.click(screen.getByRole('button', { name: 'Back' }))
      await user.click(screen.getByRole('checkbox', { name: /^Who these records are about/ }))
      for (let i = 0; i < 3; i++) await next(user)
      await user.click(screen.getByRole('button', { name: 'Review' }))
      expect((await screen.findByTestId('grant-review')).textContent).not.toContain('Ines Quartermaine')
    } finally {
      summaries.pop()
    }
  })

  it('follows the browser’s Back and Forward from step to step, in the address, with every answer kept', async () => {
    const user = await openGrantScreen()
    const { history } = user
    await user.click(screen.getByRole('radio', { name: /^Some categories/ }))
    await user.click(within(screen.getByRole('group', { name: 'Categories' })).getByRole('checkbox', { name: /^Allergies/ }))
    await next(user)
    await user.click(screen.getByRole('radio', { name: /^A clinician's address/ }))
    await user.click(screen.getByLabelText('Their account address'))
    await user.paste(clinician)
    await next(user)
    expect(stepName()).toBe('Step 3 of 5: Why')
    expect(history.location.search).toBe('?step=why')

    act(() => history.back())
    await waitFor(() => expect(stepName()).toBe('Step 2 of 5: Who may see it'))
    expect(document.activeElement).toBe(stepHeading())
    expect(screen.getByLabelText('Their account address')).toHaveProperty('value', clinician)
    act(() => history.back())
    await waitFor(() => expect(stepName()).toBe('Step 1 of 5: What to share'))
    expect(history.location.search).toBe('')
    expect(within(screen.getByRole('group', { name: 'Categories' })).getByRole('checkbox', { name: /^Allergies/ })).toHaveProperty('checked', true)
    act(() => history.forward())
    await waitFor(() => expect(stepName()).toBe('Step 2 of 5: Who may see it'))

    // The screen's Back goes back through the history too: Forward returns to where it was.
    await next(user)
    expect(stepName()).toBe('Step 3 of 5: Why')
    await user.click(screen.getByRole('button', { name: 'Back' }))
    await waitFor(() => expect(stepName()).toBe('Step 2 of 5: Who may see it'))
    act(() => history.forward())
    await waitFor(() => expect(stepName()).toBe('Step 3 of 5: Why'))
  })
})
