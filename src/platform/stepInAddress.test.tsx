// @vitest-environment jsdom
import { act, cleanup, render, screen, waitFor } from '@testing-library/react'
import { createMemoryHistory, createRootRoute, createRoute, createRouter, RouterProvider } from '@tanstack/react-router'
import { afterEach, describe, expect, it } from 'vitest'
import { useStepsInAddress } from './stepInAddress.ts'

const STEPS = ['a', 'b', 'c'] as const

function Steps() {
  const { step, goTo } = useStepsInAddress(STEPS)
  return (
    <>
      <p data-testid="step">{step}</p>
      {STEPS.map((s) => (
        <button key={s} onClick={() => goTo(s)}>
          to {s}
        </button>
      ))}
    </>
  )
}

async function open(at: string) {
  const root = createRootRoute()
  const history = createMemoryHistory({ initialEntries: ['/before', at] })
  const router = createRouter({
    routeTree: root.addChildren([
      createRoute({ getParentRoute: () => root, path: '/form', component: Steps }),
      createRoute({ getParentRoute: () => root, path: '/before', component: () => <p data-testid="step">left the form</p> }),
    ]),
    history,
  })
  await router.load()
  render(<RouterProvider router={router} />)
  return history
}

const shown = () => screen.getByTestId('step').textContent
const click = (name: string) => act(() => screen.getByRole('button', { name }).click())

afterEach(cleanup)

describe('a stepped form’s step in the address', () => {
  it('adds a history entry per step forward, keeps other search parameters, and leaves the first step out of the address', async () => {
    const history = await open('/form?with=qr')
    expect(shown()).toBe('a')
    click('to b')
    await waitFor(() => expect(shown()).toBe('b'))
    expect(history.location.search).toBe('?with=qr&step=b')
    click('to c')
    await waitFor(() => expect(shown()).toBe('c'))
    act(() => history.back())
    await waitFor(() => expect(shown()).toBe('b'))
    act(() => history.back())
    await waitFor(() => expect(shown()).toBe('a'))
    expect(history.location.search).toBe('?with=qr')
    // Before the form's first step, Back leaves it.
    act(() => history.back())
    await waitFor(() => expect(shown()).toBe('left the form'))
  })

  it('goes back through its own entries, so Forward returns, several steps at once', async () => {
    const history = await open('/form')
    click('to b')
    await waitFor(() => expect(shown()).toBe('b'))
    click('to c')
    await waitFor(() => expect(shown()).toBe('c'))
    click('to a')
    await waitFor(() => expect(shown()).toBe('a'))
    act(() => history.forward())
    await waitFor(() => expect(shown()).toBe('b'))
    act(() => history.forward())
    await waitFor(() => expect(shown()).toBe('c'))
  })

  it('opened at a later step (a reload: the answers are gone), starts again at the first in place of that entry', async () => {
    const history = await open('/form?step=c')
    await waitFor(() => expect(history.location.search).toBe(''))
    expect(shown()).toBe('a')
    act(() => history.back())
    await waitFor(() => expect(shown()).toBe('left the form'))
  })

  it('reads an unknown step as the first', async () => {
    await open('/form?step=nonsense')
    expect(shown()).toBe('a')
  })
})
