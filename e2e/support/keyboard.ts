import { expect, type Locator, type Page } from '@playwright/test'

/**
 * Presses Tab (or Shift+Tab) until `target` has focus, as a keyboard user would, and checks
 * that the focus shows on it (an outline or a ring). Fails after `max` presses, naming what it
 * looked for and where focus was instead.
 *
 * @example
 * await tabTo(page.getByRole('button', { name: 'Next' }), 'the Next button')
 */
export async function tabTo(target: Locator, what: string, { backwards = false, max = 60 }: { backwards?: boolean; max?: number } = {}) {
  const page = target.page()
  await expect(target, `${what} is on the screen`).toBeVisible()
  const key = backwards ? 'Shift+Tab' : 'Tab'
  for (let presses = 0; presses <= max; presses++) {
    if (await target.evaluate((element) => element === document.activeElement)) {
      await expectFocusVisible(target, what)
      return
    }
    if (presses < max) await page.keyboard.press(key)
  }
  throw new Error(`${what} did not get focus after ${max} presses of ${key}; focus is on ${await describeFocus(page)}`)
}

/** Fails unless `target` has focus and shows it: it matches :focus-visible and draws an outline or a ring. */
export async function expectFocusVisible(target: Locator, what: string) {
  const shown = await target.evaluate((element) => {
    const style = getComputedStyle(element)
    const outline = style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) > 0
    const ring = style.boxShadow !== 'none'
    return { focused: element === document.activeElement, focusVisible: element.matches(':focus-visible'), drawn: outline || ring }
  })
  expect(shown, `the focus on ${what} is visible`).toEqual({ focused: true, focusVisible: true, drawn: true })
}

async function describeFocus(page: Page): Promise<string> {
  return page.evaluate(() => {
    const element = document.activeElement
    if (!element || element === document.body) return 'nothing (the page)'
    const name = element.getAttribute('aria-label') ?? element.textContent?.trim().slice(0, 60) ?? ''
    return `<${element.tagName.toLowerCase()}> "${name}"`
  })
}

/** What a screen reader would have announced from a live region: its role and its words. */
export type Announcement = { role: string; text: string }

/**
 * Listens, from the page's first script on, to live regions (role status or alert, aria-live)
 * as a screen reader does: a change of words inside a region that was already on the page is
 * announced; a region that appears together with its words is not. `announcements()` returns
 * what was announced so far.
 */
export async function listenToLiveRegions(page: Page): Promise<{ announcements(): Promise<Announcement[]> }> {
  await page.addInitScript(() => {
    const heard: { role: string; text: string }[] = []
    const last = new WeakMap<Element, string>()
    const listen = () => {
      for (const region of document.querySelectorAll('[role="status"], [role="alert"], [aria-live]')) {
        const text = (region.textContent ?? '').replace(/\s+/g, ' ').trim()
        const before = last.get(region)
        if (before !== undefined && text !== before && text !== '') heard.push({ role: region.getAttribute('role') ?? 'live', text })
        last.set(region, text)
      }
    }
    Object.defineProperty(window, '__carekeyAnnouncements', { value: heard })
    new MutationObserver(listen).observe(document, { subtree: true, childList: true, characterData: true })
  })
  return {
    announcements: () => page.evaluate(() => (window as unknown as { __carekeyAnnouncements: Announcement[] }).__carekeyAnnouncements),
  }
}
