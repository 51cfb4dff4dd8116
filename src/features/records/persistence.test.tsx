// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { afterEach, describe, expect, it } from 'vitest'
import { StoragePersistenceNotice } from '../../platform/StoragePersistenceNotice.tsx'
import { useStoragePersistence } from './persistence.ts'

/** Gives this page a browser StorageManager that grants persistence when asked, if `agrees`. */
function browserStorage(storage: { persisted?: () => Promise<boolean>; persist?: () => Promise<boolean> } | undefined) {
  Object.defineProperty(navigator, 'storage', { value: storage, configurable: true })
}
function browserThat({ agrees, granted = false }: { agrees: boolean; granted?: boolean }) {
  browserStorage({ persisted: async () => granted, persist: async () => (granted = granted || agrees) })
}

function StorageStatus() {
  return <StoragePersistenceNotice {...useStoragePersistence()} />
}
function show() {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  render(
    <QueryClientProvider client={queryClient}>
      <StorageStatus />
    </QueryClientProvider>,
  )
}
const status = () => screen.getByRole('status')
const ask = () => screen.getByRole('button', { name: 'Ask the browser to keep my data' })

afterEach(() => {
  cleanup()
  browserStorage(undefined)
})

describe('whether the browser keeps CareKey’s data', () => {
  it('says so when the browser agreed, with nothing to ask', async () => {
    browserThat({ agrees: false, granted: true })
    show()
    expect(await screen.findByText(/^This browser has agreed to keep CareKey’s data\./)).toBeTruthy()
    expect(screen.queryByRole('button')).toBeNull()
  })

  it('says what it means when the browser did not agree, and asks again: the answer is announced', async () => {
    browserThat({ agrees: true })
    show()
    expect(await screen.findByText(/^This browser has not agreed to keep CareKey’s data\. It may delete your records/)).toBeTruthy()
    await userEvent.setup().click(ask())
    expect(await screen.findByText(/^This browser has agreed/)).toBeTruthy()
    expect(status().textContent).toMatch(/^This browser has agreed/)
    expect(screen.queryByRole('button')).toBeNull()
  })

  it('says the browser said no for now, and keeps the button', async () => {
    browserThat({ agrees: false })
    show()
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Ask the browser to keep my data' }))
    expect(await screen.findByText(/^The browser said no for now\./)).toBeTruthy()
    expect(status().textContent).toMatch(/^This browser has not agreed.*The browser said no for now\./)
    expect(ask()).toBeTruthy()
  })

  it('says the browser cannot promise anything where it cannot be asked', async () => {
    browserStorage(undefined)
    show()
    expect(await screen.findByText(/^This browser cannot promise to keep CareKey’s data/)).toBeTruthy()
    expect(screen.queryByRole('button')).toBeNull()
  })

  it('shows what to do when the browser fails to answer', async () => {
    browserStorage({ persisted: () => Promise.reject(new TypeError('storage is disabled')), persist: async () => false })
    show()
    expect((await screen.findByRole('alert')).textContent).toMatch(/^The browser did not say whether it keeps CareKey’s data\./)
    expect(screen.queryByText(/Checking/)).toBeNull()
  })
})
