// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { RecordsNotices } from './RecordTimeline.tsx'

afterEach(cleanup)

describe('the notices above the records', () => {
  it('say, as a status, that the versions could not be checked and what to do', () => {
    render(<RecordsNotices index={{ damaged: 0, versionsUnchecked: true }} />)
    const status = screen.getByRole('status')
    expect(status.textContent).toMatch(/^CareKey could not check that these are the newest copies of your records\./)
    expect(status.textContent).toMatch(/missing or damaged/)
    expect(status.textContent).toMatch(/If you did not move or restore CareKey’s data yourself, restore your records from a backup\./)
  })

  it('say nothing when the versions were checked and every row was read', () => {
    const { container } = render(<RecordsNotices index={{ damaged: 0, versionsUnchecked: false }} />)
    expect(container.textContent).toBe('')
  })

  it('show the rows that could not be read next to it', () => {
    render(<RecordsNotices index={{ damaged: 2, versionsUnchecked: true }} />)
    expect(screen.getByRole('status')).toBeTruthy()
    expect(document.body.textContent).toMatch(/2 stored records could not be read/)
  })
})
