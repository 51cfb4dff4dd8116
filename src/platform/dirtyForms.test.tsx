// @vitest-environment jsdom
import { renderHook } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { hasDirtyForms, useDirtyForm } from './dirtyForms.ts'

describe('dirty form registry', () => {
  it('counts a form as dirty while it says so and while it is mounted', () => {
    const first = renderHook(({ dirty }) => useDirtyForm(dirty), { initialProps: { dirty: false } })
    expect(hasDirtyForms()).toBe(false)
    first.rerender({ dirty: true })
    expect(hasDirtyForms()).toBe(true)

    const second = renderHook(() => useDirtyForm(true))
    first.rerender({ dirty: false })
    expect(hasDirtyForms()).toBe(true)
    second.unmount()
    expect(hasDirtyForms()).toBe(false)

    first.rerender({ dirty: true })
    first.unmount()
    expect(hasDirtyForms()).toBe(false)
  })
})
