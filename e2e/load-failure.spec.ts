import type { Page, Route } from '@playwright/test'
import { expect, test } from './support/fixtures.ts'

/** The app's own script, which the entry loads after the first paint (`import('./app/start.tsx')`). */
const APP_SCRIPT = /\/assets\/start-[\w-]+\.js$/

/** Opens CareKey for the first time while the app's script is answered by `answer`. */
async function openWithAppScript(page: Page, answer: (route: Route) => Promise<void>) {
  await page.route(APP_SCRIPT, answer)
  await page.goto('/')
  return page.getByRole('status').filter({ hasText: 'CareKey could not load' })
}

test.describe('when CareKey cannot load, the first screen says what failed and what to do', () => {
  test('a server error for one of its files: the status and the file, not the connection; Reload then opens CareKey', async ({ page, checkA11y }) => {
    const status = await openWithAppScript(page, (route) => route.fulfill({ status: 503, body: 'busy' }))
    await expect(status).toContainText(/CareKey could not load: the server answered 503( Service Unavailable)? for \/assets\/start-[\w-]+\.js\./)
    await expect(status).toContainText('Wait a moment, then reload this page.')
    await expect(status).not.toContainText(/internet|offline/i)
    await checkA11y('the load failure screen')

    await page.unroute(APP_SCRIPT)
    await page.getByRole('button', { name: 'Reload' }).click()
    await expect(page.getByRole('heading', { name: 'Welcome to CareKey' })).toBeVisible()
  })

  test('an offline device: says offline', async ({ page, context }) => {
    const status = await openWithAppScript(page, async (route) => {
      await context.setOffline(true)
      await route.abort('internetdisconnected')
    })
    await expect(status).toContainText('CareKey could not load: this device is offline.')
    await expect(status).toContainText('Connect to the internet, then reload this page.')
  })

  test('a server that stops answering: says the server does not answer', async ({ page }) => {
    const status = await openWithAppScript(page, (route) => route.abort('connectionrefused'))
    await expect(status).toContainText('CareKey could not load: its server does not answer.')
    await expect(status).toContainText('Check your internet connection, then reload this page.')
  })
})
