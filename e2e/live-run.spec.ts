// The main flow on real training: demo dataset, a tiny run, live progress,
// pause/resume, the sample gallery and its timeline, then history.
import { expect, test } from './host-fixture'

test('a tiny run on the demo dataset trains live, pauses, resumes and fills the gallery', async ({ page, host }, info) => {
  test.setTimeout(300_000)
  await page.goto(host.url)
  await page.getByRole('link', { name: 'New run' }).click()

  await page.getByRole('button', { name: 'Use the demo dataset' }).click()
  const report = page.getByTestId('dataset-report')
  await expect(report).toContainText('ready to train', { timeout: 60_000 })
  await expect(report.getByRole('table', { name: 'Classes' }).locator('tbody tr')).toHaveCount(10)

  await page.screenshot({ path: info.outputPath('new-run-report.png') })
  await page.getByText('3 · Advanced').click()
  await page.getByRole('textbox', { name: 'Steps', exact: true }).fill('4')
  await page.getByRole('textbox', { name: 'Batch size', exact: true }).fill('8')
  await page.getByRole('textbox', { name: 'Sample every', exact: true }).fill('2')
  await page.getByRole('textbox', { name: 'Checkpoint every', exact: true }).fill('2')
  await page.getByRole('textbox', { name: 'Run name', exact: true }).fill('e2e tiny run')
  await expect(page.getByText('32px · batch 8 · 4 steps · sheet every 2')).toBeVisible()
  await page.screenshot({ path: info.outputPath('new-run-form.png') })
  await page.getByRole('button', { name: 'Start training' }).click()

  await expect(page).toHaveURL(/#\/run\/[a-z0-9]+$/)
  await expect(page.getByRole('heading', { name: 'e2e tiny run' })).toBeVisible()
  await expect(page.getByTestId('gallery-empty')).toContainText('The first sheet is saved at step 2')
  const status = page.getByTestId('run-status')
  const stepText = page.getByTestId('run-step')
  await expect(stepText).toHaveText(/^[1-4] \/ 4$/, { timeout: 120_000 })

  await page.screenshot({ path: info.outputPath('live-run-training.png') })
  // Pause as soon as training moves; the worker stops between steps.
  await page.getByRole('button', { name: 'Pause' }).click()
  await expect(status).toHaveText('paused', { timeout: 60_000 })
  const pausedAt = await stepText.textContent()
  await page.screenshot({ path: info.outputPath('live-run-paused.png') })
  await page.getByRole('button', { name: 'Resume' }).click()
  await expect(status).toHaveText(/running|completed/, { timeout: 60_000 })

  await expect(page.getByTestId('sample-sheet')).toBeVisible({ timeout: 120_000 })
  await expect(status).toHaveText('completed', { timeout: 180_000 })
  await expect(stepText).toHaveText('4 / 4')
  expect(pausedAt).not.toBe('4 / 4')

  // Sheets at steps 2 and 4: scrub back to the first, then forward again.
  const timeline = page.getByRole('slider', { name: /Step/ })
  await expect(timeline).toHaveAttribute('max', '1')
  await expect(page.getByTestId('sheet-step')).toHaveText('4')
  await timeline.fill('0')
  await expect(page.getByTestId('sheet-step')).toHaveText('2')
  await expect(page.getByRole('img', { name: /Generated samples at step 2/ })).toBeVisible()
  await page.screenshot({ path: info.outputPath('live-run-gallery.png') })
  await page.getByTestId('sample-sheet').click({ position: { x: 20, y: 20 } })
  await expect(page.getByRole('dialog', { name: 'Enlarged sample' })).toBeVisible()
  // Click a pixel of the enlarged sample: the last attention layer's map for it lies over the sample.
  await page.getByTestId('zoomed-sample').click({ position: { x: 100, y: 140 } })
  await expect(page.getByTestId('attention-heatmap')).toBeVisible({ timeout: 60_000 })
  await expect(page.getByTestId('attention-panel')).toContainText('G.attention32')
  await expect(page.getByTestId('attention-panel')).toContainText('checkpoint step 2')
  await page.screenshot({ path: info.outputPath('attention-overlay.png') })
  // The paper's figure: three query points of the same sample, side by side.
  await page.getByRole('button', { name: "The paper's view: three query points" }).click()
  await expect(page.getByTestId('attention-paper').getByTestId('attention-heatmap')).toHaveCount(3, { timeout: 60_000 })
  await page.screenshot({ path: info.outputPath('attention-paper-view.png') })
  await page.getByRole('button', { name: 'Close' }).click()

  await page.getByRole('link', { name: 'Runs' }).click()
  const row = page.getByTestId('runs-table').locator('tr', { hasText: 'e2e tiny run' })
  await expect(row).toContainText('completed')
  await expect(row).toContainText('4 / 4')
})
