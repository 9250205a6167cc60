import { join } from 'node:path'
import { sampleRun } from '../src-main/testing/studio-fixture'
import { openDatabase } from '../src-main/store/database'
import { RunStore } from '../src-main/store/run-store'
import { TrainingStore } from '../src-main/store/training-store'
import { encodeGrid } from '../src-main/export/sample-grid'
import { expect, test } from './host-fixture'

function insertRun(dataDir: string, name: string) {
  const db = openDatabase(join(dataDir, 'studio.sqlite'))
  try {
    return new RunStore(db).create({ ...sampleRun, name })
  } finally {
    db.close()
  }
}

test('a new studio shows the Runs view with an inviting empty state', async ({ page, host }, info) => {
  await page.goto(host.url)
  await expect(page.getByTestId('connection-status')).toHaveText('Connected')
  await expect(page.getByRole('heading', { name: 'No runs yet' })).toBeVisible()
  await expect(page.getByRole('button', { name: 'Start your first run' })).toBeVisible()
  // The token left the address bar once read.
  expect(page.url()).not.toContain('token=')
  await page.screenshot({ path: info.outputPath('runs-empty.png') })
})

test('Settings & About names the compute backend and the data folder', async ({ page, host }, info) => {
  await page.goto(host.url)
  await page.getByRole('link', { name: 'Settings & About' }).click()
  await expect(page.getByTestId('backend-name')).toHaveText(/^(wasm|cpu|tensorflow|tensorflow-gpu|webgpu)$/)
  await expect(page.getByTestId('data-dir')).toHaveText(host.dataDir)
  await page.screenshot({ path: info.outputPath('about.png') })
})

test('renaming and deleting a run shows up live in another window', async ({ page, context, host }, info) => {
  const run = insertRun(host.dataDir, 'fashion quick')
  await page.goto(host.url)
  const other = await context.newPage()
  await other.goto(host.url)
  const row = page.locator(`tr[data-run-id="${run.id}"]`)
  const otherRow = other.locator(`tr[data-run-id="${run.id}"]`)
  await expect(row).toContainText('fashion quick')
  await expect(otherRow).toContainText('fashion quick')

  await row.getByRole('button', { name: 'Rename fashion quick' }).click()
  const input = row.getByRole('textbox', { name: 'Run name' })
  await input.fill('fashion, lower lr')
  await input.press('Enter')
  await expect(row).toContainText('fashion, lower lr')
  await expect(otherRow).toContainText('fashion, lower lr')
  await page.screenshot({ path: info.outputPath('runs-table.png') })

  await row.getByRole('button', { name: 'Delete fashion, lower lr' }).click()
  await page.getByRole('button', { name: 'Delete run' }).click()
  await expect(row).toHaveCount(0)
  await expect(otherRow).toHaveCount(0)
  await expect(other.getByRole('heading', { name: 'No runs yet' })).toBeVisible()
})

test('the UI reconnects by itself after the host restarts', async ({ page, host }) => {
  insertRun(host.dataDir, 'survives restarts')
  await page.goto(host.url)
  await expect(page.getByTestId('connection-status')).toHaveText('Connected')
  await host.stop()
  await expect(page.getByTestId('connection-status')).toHaveText('Reconnecting…')
  await host.restart()
  await expect(page.getByTestId('connection-status')).toHaveText('Connected', { timeout: 20_000 })
  await expect(page.getByText('survives restarts')).toBeVisible()
})

test('two runs ticked in history are compared: FID curves on one chart and their latest sheets', async ({ page, host }, info) => {
  const db = openDatabase(join(host.dataDir, 'studio.sqlite'))
  try {
    const runs = new RunStore(db)
    const training = new TrainingStore(db)
    const noise = (seed: number) => Uint8Array.from({ length: 16 * 8 * 8 }, (_, i) => (i * 37 + seed * 91) % 256)
    for (const [name, fids, seed] of [
      ['with attention', [58, 41, 33], 1],
      ['no attention', [61, 50, 46], 2],
    ] as const) {
      const run = runs.create({ ...sampleRun, name })
      training.saveMetrics(
        run.id,
        fids.map((value, i) => ({
          step: (i + 1) * 250,
          name: 'fid',
          value,
          extractor: 'dataset-classifier',
          nReal: 1200,
          nFake: 2000,
          imageSize: 32,
          resize: 'none',
        })),
      )
      training.saveSamples(run.id, 750, 'ema', await encodeGrid({ images: noise(seed), count: 16, size: 8, channels: 1, columns: 4 }), 4)
    }
  } finally {
    db.close()
  }
  await page.goto(host.url)
  await page.getByRole('checkbox', { name: 'Compare with attention' }).check()
  await page.getByRole('checkbox', { name: 'Compare no attention' }).check()
  await page.getByRole('button', { name: 'Compare (2)' }).click()
  await expect(page.getByRole('heading', { name: 'Compare 2 runs' })).toBeVisible()
  await expect(page.getByTestId('compare-basis')).toContainText('dataset classifier features, 2000 generated vs 1200 real')
  await expect(page.getByTestId('compare-sheet')).toHaveCount(2)
  await expect(page.getByAltText('Latest samples of no attention')).toBeVisible()
  await page.screenshot({ path: info.outputPath('compare.png') })
})
