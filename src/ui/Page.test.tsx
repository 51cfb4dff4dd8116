// @vitest-environment jsdom
import { cleanup, render } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { Page } from './Page.tsx'

afterEach(cleanup)

describe('Page', () => {
  it('names the document after the heading', () => {
    render(<Page title="Settings">content</Page>)
    expect(document.title).toBe('Settings · CareKey')
  })

  it('keeps a private heading out of the document title, which the browser stores on disk', () => {
    const { getByRole } = render(
      <Page title="Consent for Dr. Ada Lee" documentTitle="Consent">
        content
      </Page>,
    )
    expect(getByRole('heading', { level: 1 }).textContent).toBe('Consent for Dr. Ada Lee')
    expect(document.title).toBe('Consent · CareKey')
  })
})
