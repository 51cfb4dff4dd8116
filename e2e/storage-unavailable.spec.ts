import { expect, test } from './support/fixtures.ts'

test('when the browser refuses storage, CareKey says so and what to do', async ({ page, checkA11y }) => {
  await page.addInitScript(() => {
    // What private windows and locked-down browsers do: opening a database is refused.
    IDBFactory.prototype.open = function open() {
      throw new DOMException('The operation is insecure.', 'SecurityError')
    }
  })
  await page.goto('/')
  await expect(page.getByRole('heading', { name: 'CareKey cannot open its storage' })).toBeVisible()
  await expect(page.getByRole('alert')).toContainText('This browser will not let CareKey store data')
  await expect(page.getByRole('alert')).toContainText('Open CareKey in a normal window')
  await checkA11y('storage unavailable')
})
