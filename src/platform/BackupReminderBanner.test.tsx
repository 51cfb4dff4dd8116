// @vitest-environment jsdom
import { cleanup, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useState } from 'react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { BackupReminderStatus } from '../domain/backup/reminder.ts'
import { renderInRouter } from '../test/renderInRouter.tsx'
import { BackupReminderBanner, useBackupReminder } from './BackupReminderBanner.tsx'

const DAY = 24 * 60 * 60 * 1000
const NOW = Date.UTC(2025, 5, 1, 12)

/** The banner as the app shows it, with a way to change a record (which the tracker would note). */
function Wallet({ initial }: { initial: BackupReminderStatus }) {
  const [status, setStatus] = useState(initial)
  const { reminder, dismiss } = useBackupReminder(status)
  return (
    <>
      <BackupReminderBanner reminder={reminder} onDismiss={dismiss} />
      <button type="button" onClick={() => setStatus((s) => ({ ...s, changedAt: Date.now() }))}>
        Change a record
      </button>
    </>
  )
}

const showWallet = (initial: BackupReminderStatus) => renderInRouter(<Wallet initial={initial} />, ['/records/backup'])
const reminderText = () => screen.getByRole('status').textContent

beforeEach(() => {
  // Only the clock is fixed; timers and the user's events run as usual.
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(NOW)
  window.scrollTo = () => undefined
})
afterEach(() => {
  cleanup()
  vi.useRealTimers()
})

describe('the backup reminder banner', () => {
  it('says nothing while the automatic backup keeps up with the changes', async () => {
    await showWallet({ autoEnabled: true, changedAt: NOW - 60_000, unsavedSince: NOW - 60_000, lastBackupAt: NOW - DAY })
    expect(reminderText()).toBe('')
    expect(screen.queryByRole('link', { name: 'Back up now' })).toBeNull()
    expect(screen.queryByRole('button', { name: 'Dismiss reminder' })).toBeNull()
  })

  it('reminds, in a status region, that the records were never backed up, and leads to the Backup screen', async () => {
    const { history } = await showWallet({ autoEnabled: false, changedAt: NOW - 8 * DAY })
    expect(reminderText()).toBe(
      'Back up your records Your records are not in any backup yet. If this device is lost or this browser’s data is cleared, they are lost with it.',
    )
    await userEvent.setup().click(screen.getByRole('link', { name: 'Back up now' }))
    expect(await screen.findByText('Screen at /records/backup')).toBeTruthy()
    expect(history.location.pathname).toBe('/records/backup')
  })

  it('says when the online backup has been failing for over a day', async () => {
    await showWallet({ autoEnabled: true, changedAt: NOW - 3 * DAY, unsavedSince: NOW - 3 * DAY, failingSince: NOW - 2 * DAY })
    expect(reminderText()).toMatch(/^Your online backup is not working Your online backup has not worked for 2 days,/)
  })

  it('once dismissed, stays hidden until the records change again', async () => {
    const user = userEvent.setup()
    await showWallet({ autoEnabled: false, changedAt: NOW - 8 * DAY, unsavedSince: NOW - 9 * DAY, lastBackupAt: NOW - 10 * DAY })
    expect(reminderText()).toMatch(/^Your latest changes are not backed up/)

    await user.click(screen.getByRole('button', { name: 'Dismiss reminder' }))
    expect(reminderText()).toBe('')
    expect(screen.queryByRole('link', { name: 'Back up now' })).toBeNull()

    vi.setSystemTime(NOW + 60_000)
    await user.click(screen.getByRole('button', { name: 'Change a record' }))
    expect(reminderText()).toMatch(/^Your latest changes are not backed up Changes to your records from 9 days ago/)
    expect(screen.getByRole('link', { name: 'Back up now' })).toBeTruthy()
  })
})
