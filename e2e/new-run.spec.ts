// The New run form refuses what cannot train, next to the field at fault.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from './host-fixture'

test('invalid settings are flagged beside their fields and keep Start disabled', async ({ page, host }, info) => {
  await page.goto(host.url)
  await page.getByRole('link', { name: 'New run' }).click()
  await page.getByRole('textbox', { name: 'Dataset folder' }).fill('/some/folder')
  const start = page.getByRole('button', { name: 'Start training' })
  await expect(start).toBeEnabled()

  await page.getByText('3 · Advanced').click()
  const steps = page.getByRole('textbox', { name: 'Steps', exact: true })
  await steps.fill('0')
  await page.getByRole('textbox', { name: 'Batch size', exact: true }).fill('0')
  await page.getByRole('textbox', { name: 'Learning rate D', exact: true }).fill('fast')
  await expect(steps).toHaveAttribute('aria-invalid', 'true')
  await expect(page.getByText('Steps: must be at least 1')).toBeVisible()
  await expect(page.getByText('Batch size: must be at least 1')).toBeVisible()
  await expect(page.getByText('Learning rate D: enter a number')).toBeVisible()
  await expect(start).toBeDisabled()
  await page.screenshot({ path: info.outputPath('new-run-invalid.png') })

  await steps.fill('10')
  await page.getByRole('textbox', { name: 'Batch size', exact: true }).fill('')
  await page.getByRole('textbox', { name: 'Learning rate D', exact: true }).fill('0.0002')
  await expect(start).toBeEnabled()
})

test('a bad dataset path gets a clear error; a folder of broken files lists each with its reason', async ({ page, host }, info) => {
  const folder = mkdtempSync(join(tmpdir(), 'sagan-bad-'))
  mkdirSync(join(folder, 'cats'))
  writeFileSync(join(folder, 'cats', 'empty.png'), '')
  writeFileSync(join(folder, 'cats', 'fake.jpg'), 'this is not a jpeg')
  try {
    await page.goto(host.url)
    await page.getByRole('link', { name: 'New run' }).click()
    const path = page.getByRole('textbox', { name: 'Dataset folder' })
    await path.fill('/no/such/folder/sagan')
    await page.getByRole('button', { name: 'Check dataset' }).click()
    const error = page.getByTestId('dataset-error')
    await expect(error).toContainText('This folder cannot be used.')
    await expect(error).toContainText('/no/such/folder/sagan')

    await path.fill(folder)
    await path.press('Enter')
    const report = page.getByTestId('dataset-report')
    await expect(report).toContainText('not trainable')
    const skipped = report.getByRole('list', { name: 'Skipped files' })
    await expect(skipped.getByRole('listitem')).toHaveCount(2)
    await expect(skipped).toContainText('cats/empty.png')
    await expect(skipped).toContainText('zero-bytes')
    await expect(skipped).toContainText('cats/fake.jpg')
    await page.screenshot({ path: info.outputPath('new-run-bad-dataset.png') })

    // The service refuses to start on it and says why.
    await page.getByRole('button', { name: 'Start training' }).click()
    await expect(page.getByTestId('start-error')).toContainText('can be trained on')
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
})
