// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { LiveRegion } from './LiveRegion.tsx'

afterEach(cleanup)

/** Waits for the next animation frame (jsdom runs them on a timer). */
const nextFrame = () => act(() => new Promise<void>((resolve) => requestAnimationFrame(() => resolve())))

describe('LiveRegion', () => {
  it('is in the page before it has anything to say, and the words then change inside that same region', () => {
    const { rerender } = render(<LiveRegion kind="status">{null}</LiveRegion>)
    const region = screen.getByRole('status')
    expect(region.textContent).toBe('')
    rerender(<LiveRegion kind="status">Recording your consent on the network…</LiveRegion>)
    expect(screen.getByRole('status')).toBe(region)
    expect(region.textContent).toBe('Recording your consent on the network…')
    rerender(<LiveRegion kind="status">Recorded on the network.</LiveRegion>)
    expect(screen.getByRole('status')).toBe(region)
    expect(region.textContent).toBe('Recorded on the network.')
  })

  it('interrupts for failures (alert) and waits its turn for progress (status)', () => {
    render(
      <>
        <LiveRegion kind="status">Revoking…</LiveRegion>
        <LiveRegion kind="alert">The network refused the revocation.</LiveRegion>
      </>,
    )
    expect(screen.getByRole('status').textContent).toBe('Revoking…')
    expect(screen.getByRole('alert').textContent).toBe('The network refused the revocation.')
  })

  it('with announceOnArrival, opens empty and says its first words a frame later, so that they are announced', async () => {
    render(
      <LiveRegion kind="status" announceOnArrival>
        Recorded on the network.
      </LiveRegion>,
    )
    const region = screen.getByRole('status')
    expect(region.textContent).toBe('')
    await nextFrame()
    expect(region.textContent).toBe('Recorded on the network.')
  })
})
