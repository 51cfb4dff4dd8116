// @vitest-environment jsdom
import { act, renderHook } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import { encodeShlink, manifestUrlFor, newShareId, newShareKey } from '../../domain/shl/index.ts'
import { forgetSharedLink, heldSharedLink, holdSharedLink, takeSharedLink, useHeldSharedLink } from './sharedLink.ts'

const aLink = () => encodeShlink({ url: manifestUrlFor('https://share.example.org', newShareId()), key: newShareKey(), flags: ['L'] })

beforeEach(() => {
  forgetSharedLink()
  sessionStorage.clear()
  localStorage.clear()
})

describe('the link holder', () => {
  it('takes a link out of a fragment, with or without its #, whatever the case of the scheme', () => {
    const link = aLink()
    expect(takeSharedLink(`#${link}`)).toBe(true)
    expect(heldSharedLink()?.text).toBe(link)
    expect(takeSharedLink(link)).toBe(true)
    expect(heldSharedLink()?.text).toBe(link)
    const shouting = `SHLINK:/${link.slice('shlink:/'.length)}`
    expect(takeSharedLink(`#${shouting}`)).toBe(true)
    expect(heldSharedLink()?.text).toBe(shouting)
  })

  it('leaves a fragment that holds no link, and holds nothing for it', () => {
    for (const fragment of ['', '#', '#main', '#/records', 'https://example.org/#shlink:/x']) {
      expect(takeSharedLink(fragment)).toBe(false)
    }
    expect(heldSharedLink()).toBeUndefined()
  })

  it('holds a malformed link as it is, for the viewer to explain', () => {
    expect(takeSharedLink('#shlink:/not-base64-json')).toBe(true)
    expect(heldSharedLink()?.text).toBe('shlink:/not-base64-json')
  })

  it('replaces the held link with a new one, as a new screen, and tells the viewer', () => {
    const { result } = renderHook(() => useHeldSharedLink())
    expect(result.current).toBeUndefined()
    const [first, second] = [aLink(), aLink()]
    act(() => holdSharedLink(first))
    const firstHeld = result.current
    expect(firstHeld?.text).toBe(first)
    act(() => holdSharedLink(second))
    expect(result.current?.text).toBe(second)
    expect(result.current?.id).not.toBe(firstHeld?.id)
    act(() => forgetSharedLink())
    expect(result.current).toBeUndefined()
  })

  it('keeps the link in memory only: nothing in the address, sessionStorage or localStorage', () => {
    window.history.replaceState(null, '', '/view')
    const link = aLink()
    holdSharedLink(link)
    expect(window.location.href).not.toContain('shlink')
    expect([sessionStorage.length, localStorage.length]).toEqual([0, 0])
  })
})
