// The main flow on real training, as issue #7 lists it: the demo dataset, a
// tiny run with frequent samples, checkpoints and FID; progress, pause and
// resume, the gallery timeline, attention, an FID point, stop; history, a
// second run, comparing the two, and exporting a sheet and the generator.
import { readFileSync } from 'node:fs'
import sharp from 'sharp'
import { expect, test } from './host-fixture'

test('the full flow: train live, pause, resume, gallery, attention, FID, stop, history, a second run, compare, export', async ({ page, host }, info) => {
  test.setTimeout(480_000)
  await page.goto(host.url)
  await page.getByRole('link', { name: 'New run' }).click()

  await page.getByRole('button', { name: 'Use the demo dataset' }).click()
  const report = page.getByTestId('dataset-report')
  await expect(report).toContainText('ready to train', { timeout: 60_000 })
  await expect(report.getByRole('table', { name: 'Classes' }).locator('tbody tr')).toHaveCount(10)

  await page.screenshot({ path: info.outputPath('new-run-report.png') })
  await page.getByText('3 · Advanced').click()
  // Far more steps than the flow needs: it stops the run itself.
  await page.getByRole('textbox', { name: 'Steps', exact: true }).fill('2000')
  await page.getByRole('textbox', { name: 'Batch size', exact: true }).fill('8')
  await page.getByRole('textbox', { name: 'Sample every', exact: true }).fill('2')
  await page.getByRole('textbox', { name: 'Checkpoint every', exact: true }).fill('2')
  await page.getByRole('textbox', { name: 'FID every', exact: true }).fill('4')
  await page.getByRole('textbox', { name: 'FID samples', exact: true }).fill('100')
  await page.getByRole('textbox', { name: 'Run name', exact: true }).fill('e2e tiny run')
  await expect(page.getByText('32px · batch 8 · 2,000 steps · sheet every 2')).toBeVisible()
  await page.screenshot({ path: info.outputPath('new-run-form.png') })
  await page.getByRole('button', { name: 'Start training' }).click()

  await expect(page).toHaveURL(/#\/run\/[a-z0-9]+$/)
  const firstRunUrl = page.url()
  await expect(page.getByRole('heading', { name: 'e2e tiny run' })).toBeVisible()
  await expect(page.getByTestId('gallery-empty')).toContainText('The first sheet is saved at step 2')
  const status = page.getByTestId('run-status')
  const stepText = page.getByTestId('run-step')
  await expect(stepText).toHaveText(/^[1-9]\d* \/ 2,000$/, { timeout: 120_000 })
  await page.screenshot({ path: info.outputPath('live-run-training.png') })

  // Pause as soon as training moves; the worker stops between steps.
  await page.getByRole('button', { name: 'Pause' }).click()
  await expect(status).toHaveText('paused', { timeout: 60_000 })
  const pausedAt = await stepText.textContent()
  await page.screenshot({ path: info.outputPath('live-run-paused.png') })
  await page.getByRole('button', { name: 'Resume' }).click()
  await expect(status).toHaveText('running', { timeout: 60_000 })
  await expect(stepText).not.toHaveText(pausedAt!, { timeout: 60_000 })

  // The first FID point: the evaluation worker trains the demo set's feature extractor first.
  await expect(page.getByTestId('metric-provenance')).toContainText('100 generated', { timeout: 240_000 })
  await page.screenshot({ path: info.outputPath('live-run-fid.png') })
  await page.getByRole('button', { name: 'Stop' }).click()
  await expect(status).toHaveText('stopped', { timeout: 60_000 })

  // Scrub the gallery back to the first sheet (step 2).
  await expect(page.getByTestId('sample-sheet')).toBeVisible()
  const timeline = page.getByRole('slider', { name: /Step/ })
  expect(Number(await timeline.getAttribute('max'))).toBeGreaterThanOrEqual(1)
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
  // Only the last few checkpoints are kept: the panel names the one the map was read from.
  await expect(page.getByTestId('attention-panel')).toContainText(/checkpoint\s+step \d+/)
  await page.screenshot({ path: info.outputPath('attention-overlay.png') })
  // The paper's figure: three query points of the same sample, side by side.
  await page.getByRole('button', { name: "The paper's view: three query points" }).click()
  await expect(page.getByTestId('attention-paper').getByTestId('attention-heatmap')).toHaveCount(3, { timeout: 60_000 })
  await page.screenshot({ path: info.outputPath('attention-paper-view.png') })
  await page.getByRole('button', { name: 'Close' }).click()

  await page.getByRole('link', { name: 'Runs' }).click()
  const row = page.getByTestId('runs-table').locator('tr', { hasText: 'e2e tiny run' })
  await expect(row).toContainText('stopped')

  // A second run with the same settings, stopped once it has a sheet.
  await row.locator('.name').click()
  await page.getByRole('button', { name: 'Clone settings into a new run' }).click()
  await expect(page.getByRole('heading', { name: 'e2e tiny run (copy)' })).toBeVisible()
  await expect(page.getByTestId('sample-sheet')).toBeVisible({ timeout: 120_000 })
  await page.getByRole('button', { name: 'Stop' }).click()
  await expect(status).toHaveText('stopped', { timeout: 60_000 })

  await page.getByRole('link', { name: 'Runs' }).click()
  await page.getByRole('checkbox', { name: 'Compare e2e tiny run', exact: true }).check()
  await page.getByRole('checkbox', { name: 'Compare e2e tiny run (copy)' }).check()
  await page.getByRole('button', { name: 'Compare (2)' }).click()
  await expect(page.getByRole('heading', { name: 'Compare 2 runs' })).toBeVisible()
  await expect(page.getByTestId('compare-sheet')).toHaveCount(2)
  await expect(page.getByAltText('Latest samples of e2e tiny run (copy)')).toBeVisible()
  await page.screenshot({ path: info.outputPath('compare-two-runs.png') })

  // Export a sheet of the first run: three classes, four samples each, with a live preview.
  await page.goto(firstRunUrl)
  await page.getByRole('link', { name: 'Export…' }).click()
  await expect(page.getByRole('heading', { name: 'Export · e2e tiny run' })).toBeVisible()
  await expect(page.getByTestId('sheet-preview')).toBeVisible({ timeout: 60_000 })
  for (const name of ['0-T-shirt-top', '1-Trouser', '2-Pullover', '3-Dress', '4-Coat', '5-Sandal', '6-Shirt']) {
    await page.getByRole('button', { name: `Remove ${name}` }).click()
  }
  await page.getByRole('button', { name: 'Move 9-Ankle-boot up' }).click()
  await page.getByRole('textbox', { name: 'Samples per class' }).fill('4')
  const preview = page.getByTestId('preview-status')
  await expect(preview).toContainText(/^\d+ x \d+ · .* · e2e-tiny-run-grid-step\d+\.png$/, { timeout: 60_000 })
  await page.screenshot({ path: info.outputPath('export-sheet.png') })
  const downloading = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Download sheet' }).click()
  const download = await downloading
  expect(download.suggestedFilename()).toMatch(/^e2e-tiny-run-grid-step\d+\.png$/)
  const file = info.outputPath(download.suggestedFilename())
  await download.saveAs(file)
  const [width, height] = (await preview.textContent())!.split(' · ')[0].split(' x ').map(Number)
  const meta = await sharp(readFileSync(file)).metadata()
  expect([meta.format, meta.width, meta.height]).toEqual(['png', width, height])
  // Three class rows and four columns of 64 px cells, plus header and footer.
  expect(height).toBeGreaterThan(3 * 64)
  expect(height).toBeLessThan(4 * 64 + 100)
  expect(width).toBeGreaterThan(4 * 64)

  await page.getByRole('button', { name: 'Export generator (TF.js)' }).click()
  await expect(page.getByTestId('model-saved')).toContainText('HOW-TO-SAMPLE.md', { timeout: 60_000 })
})
