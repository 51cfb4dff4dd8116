// @vitest-environment jsdom
import { cleanup, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'
import type { RecordSummary } from '../../domain/records/summary.ts'
import { renderInRouter } from '../../test/renderInRouter.tsx'
import { AboutYou } from './AboutYou.tsx'

afterEach(cleanup)

const patient = (id: string, title: string, detail?: string): RecordSummary => ({
  id,
  resourceType: 'Patient',
  category: 'other',
  title,
  date: undefined,
  sortKey: Number.NaN,
  detail,
  recorder: undefined,
  searchText: title.toLowerCase(),
  duplicateKeys: [],
  aliases: [],
  attachmentIds: [],
  origin: 'imported',
  version: 1,
  createdAt: 1,
  updatedAt: 1,
})

describe('who the records are about', () => {
  it('shows the patient’s name and birth date, and leads to all their details', async () => {
    const user = userEvent.setup()
    const { history } = await renderInRouter(<AboutYou patients={[patient('p1', 'Oriane Vellacott-Quenby', 'Born 19 May 1971 · Female')]} />, ['/records/$recordId'])
    const about = screen.getByRole('region', { name: 'About you' })
    expect(about.textContent).toContain('Oriane Vellacott-Quenby')
    expect(about.textContent).toContain('Born 19 May 1971 · Female')
    await user.click(within(about).getByRole('link', { name: 'All your details' }))
    expect(history.location.pathname).toBe('/records/p1')
  })

  it('tells two sources’ copies apart, and shows nothing when no record is the patient', async () => {
    await renderInRouter(<AboutYou patients={[patient('p1', 'Oriane Vellacott-Quenby'), patient('p2', 'O. Vellacott')]} />)
    expect(screen.getByText('Your records come from 2 sources, each with its own copy of your details.')).toBeTruthy()
    expect(screen.getAllByRole('link').map((l) => l.getAttribute('aria-label'))).toEqual(['All your details: Oriane Vellacott-Quenby', 'All your details: O. Vellacott'])
    cleanup()
    const { container } = await renderInRouter(<AboutYou patients={[]} />)
    expect(container.textContent).toBe('')
  })
})
